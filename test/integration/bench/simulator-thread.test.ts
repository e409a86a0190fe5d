import { startSimulatorThread } from '../../../bench/simulator-thread';

describe("bench:reconcile's simulator on its own thread", () => {
  it('serves Jama over HTTP from its thread and reports the calls it stamped, its items, and a reset', async () => {
    const sim = await startSimulatorThread({
      projects: 1,
      itemsPerProject: 3,
      latencyMs: { fixed: 0, jitter: 0 },
    });
    try {
      const basic = Buffer.from(`${sim.clientId}:${sim.clientSecret}`).toString('base64');
      const token = await fetch(`${sim.url}/rest/oauth/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
      expect(token.status).toBe(200);
      const { access_token } = (await token.json()) as { access_token: string };
      const items = await fetch(`${sim.url}/rest/v1/abstractitems?project=20&maxResults=50`, {
        headers: { authorization: `Bearer ${access_token}` },
      });
      expect(items.status).toBe(200);
      const page = (await items.json()) as { data: Array<{ id: number }> };

      const calls = await sim.calls();
      expect(calls.map((c) => [c.method, c.path.split('?')[0], c.status])).toEqual([
        ['POST', '/rest/oauth/token', 200],
        ['GET', '/rest/v1/abstractitems', 200],
      ]);
      expect(calls[1]?.at).toBeGreaterThanOrEqual(calls[0]?.at ?? Number.POSITIVE_INFINITY);
      const held = await sim.items();
      expect(held.map((i) => i.id).sort()).toEqual(page.data.map((i) => i.id).sort());
      expect(held).toHaveLength(3);
      await sim.resetStats();
      expect(await sim.calls()).toEqual([]);
    } finally {
      await sim.stop();
    }
    await expect(sim.calls()).rejects.toThrow('the simulator thread exited');
  }, 30_000);
});
