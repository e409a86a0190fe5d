import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ForwardSink } from '../../../src/adapters/forward-sink';
import type { RelationshipRecord } from '../../../src/core/relationships/records';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from '../../../src/core/signature';
import { FakeClock } from '../../support/fake-clock';

const SECRET = 'forward-secret-0123456789';

describe('forward sink › relationships', () => {
  it('POSTs {env, records: [], relationships} signed like item batches; a 5xx fails them after retries', async () => {
    const received: { body: string; timestamp: number; signature: string }[] = [];
    let status = 200;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({
          body: Buffer.concat(chunks).toString('utf8'),
          timestamp: Number(req.headers[TIMESTAMP_HEADER]),
          signature: String(req.headers[SIGNATURE_HEADER]),
        });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const sink = new ForwardSink({ url, secret: SECRET, clock: new FakeClock(), attempts: 2 });
    const records: RelationshipRecord[] = [
      {
        kind: 'relationship',
        relationshipId: 7,
        projectId: 20,
        observedAt: 5,
        relationship: { id: 7, fromItem: 10, toItem: 11, relationshipType: 5, suspect: false },
        relationshipTypeName: 'Verified by',
      },
      { kind: 'relationship-tombstone', relationshipId: 8, deletedAt: 6 },
    ];
    try {
      expect(await sink.writeRelationships('prod', records)).toEqual([
        { relationshipId: 7, status: 'written' },
        { relationshipId: 8, status: 'written' },
      ]);
      const [first] = received;
      expect(JSON.parse(first?.body ?? '{}')).toEqual({ env: 'prod', records: [], relationships: records });
      expect(verifySignature(SECRET, first?.timestamp ?? 0, first?.body ?? '', first?.signature ?? '')).toBe(
        true,
      );

      status = 503;
      const failed = await sink.writeRelationships('prod', records);
      expect(failed.map((r) => r.status)).toEqual(['failed', 'failed']);
      expect(received).toHaveLength(3);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
