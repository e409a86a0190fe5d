import type { Clock } from '../../src/core/clock';
import type { JamaItemType, JamaProject } from '../../src/core/jama-types';
import type { ReferenceReader, ReferenceStore } from '../../src/core/ports/reference-data';
import type { CachedList, JamaPickListOption, JamaUser } from '../../src/core/reference/model';
import { ReferenceResolver } from '../../src/core/reference/resolver';
import { type LedgerFields, type PushLedger, supersedes } from '../../src/core/worker/push-ledger';

/** The integration's own user in these fixtures (as the simulator's first OAuth client). */
export const SELF = 50;

const field = (name: string, label: string, fieldType: string, extra: Record<string, unknown> = {}) => ({
  name,
  label,
  fieldType,
  ...extra,
});

/** Item types 24 (Requirement) and 30 (Risk: two fields labelled "Impact"), as `GET /itemtypes` lists them. */
export const ITEM_TYPES: JamaItemType[] = [
  {
    id: 24,
    typeKey: 'REQ',
    display: 'Requirement',
    fields: [
      field('documentKey', 'ID', 'STRING', { readOnly: true }),
      field('name', 'Name', 'STRING'),
      field('description', 'Description', 'TEXT', { textType: 'RICHTEXT' }),
      field('status', 'Status', 'LOOKUP', { pickList: 88 }),
      field('priority$24', 'Priority', 'LOOKUP', { pickList: 89 }),
      field('owner$24', 'Owner', 'USER'),
      field('dueDate$24', 'Due date', 'DATE'),
      field('estimate$24', 'Estimate', 'INTEGER'),
    ],
  },
  {
    id: 30,
    typeKey: 'RSK',
    display: 'Risk',
    fields: [
      field('name', 'Name', 'STRING'),
      field('impact$30', 'Impact', 'LOOKUP', { pickList: 89 }),
      field('impactNote$30', 'Impact', 'TEXT'),
    ],
  },
];

const option = (pickList: number, id: number, name: string): JamaPickListOption => ({ id, name, pickList });
export const OPTIONS: Record<number, JamaPickListOption[]> = {
  88: [option(88, 150, 'Draft'), option(88, 151, 'In Review'), option(88, 152, 'Approved')],
  89: [option(89, 160, 'High'), option(89, 161, 'Medium'), option(89, 162, 'Low')],
};

export const USERS: JamaUser[] = [
  { id: 10, username: 'ada', firstName: 'Ada', lastName: 'Admin', email: 'ada@example.com' },
  { id: 11, username: 'grace', firstName: 'Grace', lastName: 'Hopper', email: 'Grace.Hopper@example.com' },
  { id: SELF, username: 'jama-sync', firstName: 'Integration', lastName: 'jama-sync' },
];

export const PROJECTS: JamaProject[] = [{ id: 20, projectKey: 'PUMP', fields: { name: 'Infusion Pump' } }];

/** A {@link ReferenceReader} over the fixtures above that counts its reads per list. */
export class FakeReferenceReader implements ReferenceReader {
  readonly reads = new Map<string, number>();
  itemTypeList = structuredClone(ITEM_TYPES);
  users_ = structuredClone(USERS);

  private count(list: string) {
    this.reads.set(list, (this.reads.get(list) ?? 0) + 1);
  }

  async itemTypes() {
    this.count('itemTypes');
    return structuredClone(this.itemTypeList);
  }
  async pickListOptions(pickList: number) {
    this.count(`pickList#${pickList}`);
    return structuredClone(OPTIONS[pickList] ?? []);
  }
  async users() {
    this.count('users');
    return structuredClone(this.users_);
  }
  async currentUser() {
    this.count('currentUser');
    return structuredClone(USERS.find((u) => u.id === SELF) as JamaUser);
  }
  async projects() {
    this.count('projects');
    return structuredClone(PROJECTS);
  }
}

/** The shared reference cache in memory. */
export class MemoryReferenceStore implements ReferenceStore {
  readonly lists = new Map<string, CachedList>();
  async get(env: string, list: string) {
    return this.lists.get(`${env}#${list}`);
  }
  async put(env: string, list: string, value: CachedList) {
    this.lists.set(`${env}#${list}`, value);
  }
}

/** The push ledger in memory, with the DynamoDB adapter's claim rules. */
export class MemoryPushLedger implements PushLedger {
  readonly items = new Map<
    string,
    { fields: Record<string, { at: number; job: string }>; claim?: { job: string; until: number } }
  >();
  constructor(private readonly clock: Clock) {}

  private entry(env: string, itemId: number) {
    const key = `${env}#${itemId}`;
    const found = this.items.get(key) ?? { fields: {} };
    this.items.set(key, found);
    return found;
  }

  async claim(env: string, itemId: number, job: string, until: number): Promise<LedgerFields | 'busy'> {
    const e = this.entry(env, itemId);
    if (e.claim && e.claim.until >= this.clock.now() && e.claim.job !== job) return 'busy';
    e.claim = { job, until };
    return structuredClone(e.fields);
  }

  async commit(env: string, itemId: number, job: string, fields: LedgerFields): Promise<void> {
    const e = this.entry(env, itemId);
    if (e.claim?.job !== job) throw new Error(`ledger claim of item ${itemId} lost`);
    for (const [key, value] of Object.entries(fields)) {
      // The adapter overwrites; a claim holder only ever commits newer entries.
      if (supersedes(e.fields[key], value.at, value.job) && e.fields[key]?.job !== value.job)
        throw new Error('a commit went back in time');
      e.fields[key] = value;
    }
    delete e.claim;
  }

  async release(env: string, itemId: number, job: string): Promise<void> {
    const e = this.entry(env, itemId);
    if (e.claim?.job === job) delete e.claim;
  }
}

/** Write-back services over the fixtures: a resolver (fresh cache) and an in-memory ledger. */
export function pushServices(clock: Clock, reader = new FakeReferenceReader()) {
  const store = new MemoryReferenceStore();
  const reference = new ReferenceResolver({ reader: () => reader, store, clock });
  return { reader, store, reference, ledger: new MemoryPushLedger(clock) };
}
