// Terraform resource addresses as printed by `terraform state list`: module path, optional `data.`,
// TYPE.NAME and an instance key (`module.db["eu"].aws_db_instance.main[0]`).
import { holdsData } from './terraform-data-types.js';

const KEY = String.raw`\[(?:"(?:[^"\\]|\\.)*"|[0-9]+)\]`;
const ADDRESS = new RegExp(String.raw`^(?:module\.[A-Za-z0-9_-]+(?:${KEY})?\.)*(data\.)?([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]+(?:${KEY})?$`);

export interface ParsedAddress {
  type: string;
  data: boolean;
}

/** Type and mode of one address; undefined when it is not a resource address. */
export const parseAddress = (address: string): ParsedAddress | undefined => {
  const m = ADDRESS.exec(address);
  return m ? { type: m[2]!, data: m[1] !== undefined } : undefined;
};

/** Managed resources only: data sources are read, never destroyed. */
export const isManaged = (address: string): boolean => parseAddress(address)?.data !== true;

/**
 * Does `address` fall under `selector` (a -target / state rm argument)? `aws_x.a` selects its
 * instances `aws_x.a[0]`, `module.db` everything in that module; best effort, no wildcard forms.
 */
export const selects = (selector: string, address: string): boolean =>
  address === selector || address.startsWith(`${selector}.`) || address.startsWith(`${selector}[`);

/** The addresses among `addresses` whose resource type holds data. */
export const dataHolding = (addresses: readonly string[]): string[] =>
  addresses.filter((a) => {
    const p = parseAddress(a);
    return p !== undefined && !p.data && holdsData(p.type);
  });

/** "2 resources", "1 resource". */
export const resourceCount = (n: number): string => `${n} resource${n === 1 ? '' : 's'}`;
