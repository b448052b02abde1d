import {
  Kind,
  OperationTypeNode,
  print,
  type DocumentNode,
  type OperationDefinitionNode,
  type ValueNode,
} from 'graphql';

/** A document as the client sends it: its text, the text's SHA-256 and its one operation. */
export interface PreparedOperation {
  readonly name: string | undefined;
  readonly type: OperationTypeNode;
  readonly text: string;
  readonly definition: OperationDefinitionNode;
  /** Lowercase hexadecimal SHA-256 of `text`: the persisted query's id. */
  hash(): Promise<string>;
}

const prepared = new WeakMap<DocumentNode, PreparedOperation>();

export async function sha256Hex(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Prints a document once, and remembers its text and hash for every later send. */
export function prepare(document: DocumentNode): PreparedOperation {
  const known = prepared.get(document);
  if (known) return known;
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );
  const definition = operations[0];
  if (!definition || operations.length > 1) {
    throw new TypeError(
      `A document sent by the client holds exactly one operation; this one holds ${operations.length}`,
    );
  }
  const text = print(document);
  let hash: Promise<string> | undefined;
  const operation: PreparedOperation = {
    name: definition.name?.value,
    type: definition.operation,
    text,
    definition,
    hash: () => (hash ??= sha256Hex(text)),
  };
  prepared.set(document, operation);
  return operation;
}

const hasKey = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Record<string, unknown>)['idempotencyKey'] === 'string' &&
  (value as Record<string, string>)['idempotencyKey'] !== '';

/** Whether an argument carries an idempotency key: an input object's `idempotencyKey`, literal or a variable. */
function argumentCarriesKey(value: ValueNode, variables: Readonly<Record<string, unknown>>): boolean {
  if (value.kind === Kind.VARIABLE) return hasKey(variables[value.name.value]);
  if (value.kind !== Kind.OBJECT) return false;
  return value.fields.some((field) => {
    if (field.name.value !== 'idempotencyKey') return false;
    if (field.value.kind === Kind.STRING) return field.value.value !== '';
    return field.value.kind === Kind.VARIABLE && typeof variables[field.value.name.value] === 'string'
      ? variables[field.value.name.value] !== ''
      : false;
  });
}

/**
 * Whether sending the operation twice does what sending it once does. A query does; a mutation
 * does only when each of its root fields carries an idempotency key (the credit subgraph answers a
 * repeated key with what it stored the first time). A mutation with any other root selection
 * (a fragment, a field without a key) is not repeated.
 */
export function safeToRepeat(operation: PreparedOperation, variables: Readonly<Record<string, unknown>>): boolean {
  if (operation.type === OperationTypeNode.QUERY) return true;
  if (operation.type !== OperationTypeNode.MUTATION) return false;
  const selections = operation.definition.selectionSet.selections;
  return selections.every((selection) => {
    if (selection.kind !== Kind.FIELD) return false;
    if (selection.name.value === '__typename') return true;
    return (selection.arguments ?? []).some(
      (argument) =>
        (argument.name.value === 'idempotencyKey' &&
          (argument.value.kind === Kind.STRING
            ? argument.value.value !== ''
            : argument.value.kind === Kind.VARIABLE && typeof variables[argument.value.name.value] === 'string')) ||
        argumentCarriesKey(argument.value, variables),
    );
  });
}
