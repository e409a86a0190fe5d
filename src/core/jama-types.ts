/**
 * Jama Connect REST v1 resources as jama-sync uses them. Dates stay as Jama sends them
 * (`2021-04-23T19:56:56.000+0000`); convert with `parseJamaDate` from `./jama-date`.
 *
 * Responses are validated leniently at the adapter edge: unknown fields pass through, and only
 * the fields marked required here are required. Optional fields are ones real Jama always sends
 * but that jama-sync can live without.
 */

/** `fields` of an item: `name`, `description` (HTML), `status` (picklist option id), and custom fields. */
export interface JamaItemFields {
  name?: string;
  description?: string;
  status?: number;
  /** Custom fields are named `<field>$<itemTypeId>`. */
  [field: string]: unknown;
}

/** Where an item sits in its project's tree. */
export interface JamaLocation {
  sortOrder?: number;
  globalSortOrder?: number;
  sequence?: string;
  parent?: { project?: number; item?: number };
  [key: string]: unknown;
}

/** Whether someone holds the item open for editing. */
export interface JamaLock {
  locked: boolean;
  lastLockedDate?: string;
  lockedBy?: number;
  [key: string]: unknown;
}

/**
 * One item (`GET /items/{id}`, `/items?project=`, `/abstractitems`). Jama has no version or ETag:
 * `modifiedDate` and `lastActivityDate` are the change markers.
 */
export interface JamaItem {
  id: number;
  documentKey: string;
  globalId?: string;
  project: number;
  itemType: number;
  childItemType?: number;
  createdDate?: string;
  modifiedDate: string;
  lastActivityDate?: string;
  createdBy?: number;
  modifiedBy?: number;
  fields: JamaItemFields;
  location?: JamaLocation;
  lock?: JamaLock;
  /** `items` for items; abstract-item searches may also return other kinds (test plans, …). */
  type?: string;
  [key: string]: unknown;
}

/** A project (`GET /projects`). */
export interface JamaProject {
  id: number;
  projectKey?: string;
  parent?: number;
  isFolder?: boolean;
  createdDate?: string;
  modifiedDate?: string;
  createdBy?: number;
  modifiedBy?: number;
  fields?: { name?: string; description?: string; [field: string]: unknown };
  type?: string;
  [key: string]: unknown;
}

/** One field definition of an item type (`fields` of `GET /itemtypes`). */
export interface JamaItemTypeField {
  id?: number;
  /** The key under an item's `fields`, e.g. `status` or `priority$24`. */
  name?: string;
  label?: string;
  /** e.g. `STRING`, `TEXT`, `LOOKUP`, `INTEGER`. */
  fieldType?: string;
  readOnly?: boolean;
  required?: boolean;
  pickList?: number;
  [key: string]: unknown;
}

/** An item type (`GET /itemtypes`), e.g. Requirement, Test Case. */
export interface JamaItemType {
  id: number;
  typeKey?: string;
  display?: string;
  displayPlural?: string;
  description?: string;
  image?: string;
  category?: string;
  fields?: JamaItemTypeField[];
  widgets?: unknown[];
  system?: boolean;
  type?: string;
  [key: string]: unknown;
}

/** `eventType` values of `GET /activities`. */
export type JamaActivityEventType = 'CREATE' | 'UPDATE' | 'DELETE' | 'PUBLIC' | 'BATCH_SUMMARY';

/** `objectType` values of `GET /activities`. */
export type JamaActivityObjectType =
  | 'PROJECT'
  | 'ITEM'
  | 'USER'
  | 'RELATIONSHIP'
  | 'COMMENT'
  | 'ITEM_TAG'
  | 'TAG'
  | 'ITEM_ATTACHMENT'
  | 'URL'
  | 'TEST_RESULT'
  | 'BASELINE'
  | 'CHANGE_REQUEST'
  | 'REVIEW'
  | 'REVISION'
  | 'REVISION_ITEM'
  | 'TEST_PLAN'
  | 'TEST_CYCLE'
  | 'TEST_RUN'
  | 'INTEGRATION'
  | 'MISCELLANEOUS';

/** One entry of a project's activity stream (`GET /activities`) — the way to learn of deletions. */
export interface JamaActivity {
  id: number;
  date: string;
  details?: string;
  action?: string;
  /** Id of the user who acted. */
  user?: number;
  /** Id of the item acted on (absent for non-item objects). */
  item?: number;
  /** Known values are {@link JamaActivityEventType}; newer Jama versions may add others. */
  eventType: JamaActivityEventType | (string & {});
  /** Known values are {@link JamaActivityObjectType}. */
  objectType: JamaActivityObjectType | (string & {});
  type?: string;
  [key: string]: unknown;
}

/** One operation of `PATCH /items/{id}`; Jama supports only these three ops, on fields only. */
export interface PatchOperation {
  op: 'add' | 'replace' | 'remove';
  path: `/fields/${string}`;
  /** Required by `add` and `replace`; ignored by `remove`. */
  value?: unknown;
}

/** One page of a list endpoint, from Jama's `meta.pageInfo`. */
export interface Page<T> {
  startIndex: number;
  resultCount: number;
  totalResults: number;
  /** The entries that passed validation, in Jama's order. */
  data: T[];
  /**
   * Entries Jama returned that are malformed (item pages only): each is isolated — quarantined by
   * the scan — instead of failing the page. Absent when every entry was valid.
   */
  rejected?: RejectedEntry[];
}

/** One malformed entry of a page: where it was and what could still be read of it. */
export interface RejectedEntry {
  /** Position in the page's `data` as Jama sent it. */
  index: number;
  itemId?: number;
  documentKey?: string;
  project?: number;
  /** The entry's raw `lastActivityDate`, when it is a string (for the scan's keyset cursor). */
  lastActivityDate?: string;
  reason: string;
}

/** Body of `POST /items` and `PUT /items/{id}` (Jama's `RequestItem`). */
export interface JamaItemInput {
  project: number;
  itemType: number;
  childItemType?: number;
  location: { parent: { item: number } | { project: number } };
  fields: JamaItemFields & { name: string };
}
