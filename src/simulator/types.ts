/** Wire shapes of the Jama resources the simulator serves, as Jama's REST API v1 returns them. */

/** A parent is either a project (item at the root) or another item. */
export type JamaParent = { project: number } | { item: number };

export interface JamaLocation {
  sortOrder: number;
  globalSortOrder: number;
  sequence: string;
  parent: JamaParent;
}

export interface JamaLock {
  locked: boolean;
  lastLockedDate: string;
  lockedBy: number;
}

export interface JamaItem {
  id: number;
  documentKey: string;
  globalId: string;
  project: number;
  itemType: number;
  childItemType: number;
  createdDate: string;
  modifiedDate: string;
  lastActivityDate: string;
  createdBy: number;
  modifiedBy: number;
  /** `name`, `description` (HTML), `status` (pick list option id), `documentKey`, `globalId`, `<field>$<itemTypeId>`… */
  fields: Record<string, unknown>;
  location: JamaLocation;
  lock: JamaLock;
  type: 'items';
}

export interface JamaProject {
  id: number;
  projectKey: string;
  isFolder: boolean;
  createdDate: string;
  modifiedDate: string;
  createdBy: number;
  modifiedBy: number;
  /** As in Jama, the name lives among the fields: `{ projectKey, name, description }`. */
  fields: { projectKey: string; name: string; description: string };
  type: 'projects';
}

export interface JamaItemTypeField {
  id: number;
  name: string;
  label: string;
  fieldType: 'STRING' | 'TEXT' | 'LOOKUP' | 'INTEGER' | 'USER' | 'DATE';
  readOnly: boolean;
  required: boolean;
  triggerSuspect: boolean;
  synchronize: boolean;
  textType?: 'RICHTEXT';
  pickList?: number;
}

export interface JamaItemType {
  id: number;
  typeKey: string;
  display: string;
  displayPlural: string;
  description: string;
  image: string;
  category: 'CORE';
  widgets: [];
  fields: JamaItemTypeField[];
  system: boolean;
  type: 'itemtypes';
}

export interface JamaPickListOption {
  id: number;
  name: string;
  description: string;
  value: string;
  active: boolean;
  archived: boolean;
  color: string;
  default: boolean;
  sortOrder: number;
  pickList: number;
  type: 'picklistoptions';
}

export interface JamaPickList {
  id: number;
  name: string;
  description: string;
  type: 'picklists';
}

export type ActivityEventType = 'CREATE' | 'UPDATE' | 'DELETE';

export interface JamaActivity {
  id: number;
  date: string;
  details: string;
  action: string;
  user: number;
  item: number;
  itemType: number;
  project: number;
  eventType: ActivityEventType;
  objectType: 'ITEM' | 'RELATIONSHIP';
  type: 'activities';
}

/** A user (`GET /users`, `/users/{id}`, `/users/current`). */
export interface JamaUser {
  id: number;
  username: string;
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
  title: string;
  location: string;
  licenseType: 'NAMED' | 'FLOATING' | 'STAKEHOLDER';
  avatarUrl: string;
  active: boolean;
  type: 'users';
}
