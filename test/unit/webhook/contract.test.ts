import {
  describeIssues,
  nativeBodySchema,
  nativeContractJsonSchema,
} from '../../../src/core/webhook/contract';
import { docBlock } from './docs';

const parse = (events: unknown[]) => {
  const r = nativeBodySchema.safeParse({ events });
  return r.success ? r.data.events : describeIssues(r.error);
};

describe('native webhook contract', () => {
  it('is published in docs/webhooks.md exactly as the validator states it', () => {
    expect(docBlock('native-contract-schema')).toEqual(nativeContractJsonSchema());
  });

  it('accepts every event type, dates as epoch ms or ISO 8601 with a zone, and ignores unknown keys', () => {
    expect(
      parse([
        { type: 'item.created', itemId: 1, projectId: 20, documentKey: 'P-1', extra: true },
        { type: 'item.updated', itemId: 2, occurredAt: '2026-01-31T13:00:00+01:00' },
        { type: 'item.deleted', itemId: 3, occurredAt: 1769860800000 },
        { type: 'item.push', itemId: 4, fields: { name: 'n', custom$24: [1, 2] } },
      ]),
    ).toEqual([
      { type: 'item.created', itemId: 1, projectId: 20, documentKey: 'P-1' },
      { type: 'item.updated', itemId: 2, occurredAt: 1769860800000 },
      { type: 'item.deleted', itemId: 3, occurredAt: 1769860800000 },
      { type: 'item.push', itemId: 4, fields: { name: 'n', custom$24: [1, 2] } },
    ]);
  });

  const deep = (n: number): unknown => (n === 0 ? 'leaf' : { a: deep(n - 1) });
  it.each([
    ['a missing item id', { type: 'item.updated' }, /events\.0\.itemId/],
    ['a fractional item id', { type: 'item.updated', itemId: 1.5 }, /itemId: .*int/],
    ['an unknown type', { type: 'item.renamed', itemId: 1 }, /events\.0\.type: Invalid discriminator/],
    [
      'occurredAt in seconds',
      { type: 'item.updated', itemId: 1, occurredAt: 1769860800 },
      /epoch milliseconds/,
    ],
    [
      'occurredAt without a zone',
      { type: 'item.updated', itemId: 1, occurredAt: '2026-01-31T12:00:00' },
      /ISO 8601/,
    ],
    [
      'an impossible date',
      { type: 'item.updated', itemId: 1, occurredAt: '2026-02-31T25:00:00Z' },
      /ISO 8601/,
    ],
    ['a push without fields', { type: 'item.push', itemId: 1 }, /events\.0\.fields/],
    ['a push with no field', { type: 'item.push', itemId: 1, fields: {} }, /1–100 fields, got 0/],
    [
      'a push with a path in a field name',
      { type: 'item.push', itemId: 1, fields: { 'a/b': 1 } },
      /Jama field name/,
    ],
    ['a push nested too deep', { type: 'item.push', itemId: 1, fields: { x: deep(20) } }, /nest at most 16/],
    [
      'U+FFFF in a pushed value',
      { type: 'item.push', itemId: 1, fields: { x: ['ok', 'no\uffff'] } },
      /U\+FFFF/,
    ],
    [
      'a control character in a documentKey',
      { type: 'item.updated', itemId: 1, documentKey: 'P\u0000' },
      /control/,
    ],
  ])('refuses %s, saying where', (_name, event, reason) => {
    expect(parse([event])).toMatch(reason);
  });

  it('lists the first five problems and counts the rest', () => {
    const events = Array.from({ length: 8 }, () => ({ type: 'item.updated' }));
    expect(parse(events)).toMatch(/events\.4\.itemId.*\(and 3 more\)$/);
  });

  it('refuses more than 1000 events', () => {
    expect(parse(Array.from({ length: 1001 }, (_, i) => ({ type: 'item.updated', itemId: i + 1 })))).toMatch(
      /events: .*1000/,
    );
  });
});
