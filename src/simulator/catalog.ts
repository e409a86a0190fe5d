import type { JamaItemType, JamaItemTypeField, JamaPickList, JamaPickListOption } from './types';

/** Pick list of the `status` field every item type has. */
export const STATUS_PICKLIST = 88;
/** Pick list of the `priority$<itemTypeId>` and `severity$26` custom fields. */
export const PRIORITY_PICKLIST = 89;

export const PICK_LISTS: readonly JamaPickList[] = [
  { id: STATUS_PICKLIST, name: 'Status', description: 'Workflow status', type: 'picklists' },
  { id: PRIORITY_PICKLIST, name: 'Priority', description: 'How urgent', type: 'picklists' },
];

function options(pickList: number, firstId: number, names: readonly string[]): JamaPickListOption[] {
  return names.map((name, i) => ({
    id: firstId + i,
    name,
    description: '',
    value: name.toUpperCase(),
    active: true,
    archived: false,
    color: '#7F7F7F',
    default: i === 0,
    sortOrder: i,
    pickList,
    type: 'picklistoptions',
  }));
}

export const PICK_LIST_OPTIONS: readonly JamaPickListOption[] = [
  ...options(STATUS_PICKLIST, 150, ['Draft', 'In Review', 'Approved', 'Rejected']),
  ...options(PRIORITY_PICKLIST, 160, ['High', 'Medium', 'Low']),
];

/** Option ids of a pick list. */
export function optionIds(pickList: number): number[] {
  return PICK_LIST_OPTIONS.filter((o) => o.pickList === pickList).map((o) => o.id);
}

type FieldSpec = Pick<JamaItemTypeField, 'name' | 'label' | 'fieldType'> & Partial<JamaItemTypeField>;

function field(itemType: number, index: number, spec: FieldSpec): JamaItemTypeField {
  return {
    id: itemType * 100 + index,
    ...spec,
    readOnly: spec.readOnly ?? false,
    required: spec.required ?? false,
    triggerSuspect: spec.triggerSuspect ?? false,
    synchronize: spec.synchronize ?? false,
  };
}

function itemType(id: number, typeKey: string, display: string, custom: readonly FieldSpec[]): JamaItemType {
  const specs: FieldSpec[] = [
    { name: 'documentKey', label: 'ID', fieldType: 'STRING', readOnly: true },
    { name: 'globalId', label: 'Global ID', fieldType: 'STRING', readOnly: true },
    { name: 'name', label: 'Name', fieldType: 'STRING', required: true, triggerSuspect: true },
    {
      name: 'description',
      label: 'Description',
      fieldType: 'TEXT',
      textType: 'RICHTEXT',
      triggerSuspect: true,
    },
    { name: 'status', label: 'Status', fieldType: 'LOOKUP', pickList: STATUS_PICKLIST },
    ...custom,
  ];
  return {
    id,
    typeKey,
    display,
    displayPlural: `${display}s`,
    description: '',
    image: `https://jama.local/img/${typeKey.toLowerCase()}.png`,
    category: 'CORE',
    widgets: [],
    fields: specs.map((spec, i) => field(id, i + 1, spec)),
    system: false,
    type: 'itemtypes',
  };
}

export const REQUIREMENT = 24;
export const TEST_CASE = 25;
export const DEFECT = 26;
export const TEXT = 27;

export const ITEM_TYPES: readonly JamaItemType[] = [
  itemType(REQUIREMENT, 'REQ', 'Requirement', [
    { name: `priority$${REQUIREMENT}`, label: 'Priority', fieldType: 'LOOKUP', pickList: PRIORITY_PICKLIST },
    { name: `rationale$${REQUIREMENT}`, label: 'Rationale', fieldType: 'TEXT', textType: 'RICHTEXT' },
    { name: `owner$${REQUIREMENT}`, label: 'Owner', fieldType: 'USER' },
    { name: `dueDate$${REQUIREMENT}`, label: 'Due date', fieldType: 'DATE' },
  ]),
  itemType(TEST_CASE, 'TC', 'Test Case', [
    { name: `priority$${TEST_CASE}`, label: 'Priority', fieldType: 'LOOKUP', pickList: PRIORITY_PICKLIST },
    { name: `estimatedMinutes$${TEST_CASE}`, label: 'Estimated minutes', fieldType: 'INTEGER' },
  ]),
  itemType(DEFECT, 'BUG', 'Defect', [
    { name: `severity$${DEFECT}`, label: 'Severity', fieldType: 'LOOKUP', pickList: PRIORITY_PICKLIST },
  ]),
  itemType(TEXT, 'TXT', 'Text', []),
];
