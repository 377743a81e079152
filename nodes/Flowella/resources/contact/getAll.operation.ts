import type {
  IDataObject,
  IExecuteFunctions,
  INodeProperties,
} from "n8n-workflow";

import {
  optionsCollection,
  returnAllAndLimit,
} from "../../fields/descriptions";
import { readLimit } from "../../fields/options";
import type { ItemClient } from "../../transport/client";
import type { ItemOperation } from "../operation";

export const option: ItemOperation["option"] = {
  name: "Get Many",
  value: "getAll",
  description: "Get many contacts, newest last, as Flowella lists them",
  action: "Get many contacts",
};

export const description: INodeProperties[] = [
  ...returnAllAndLimit(),
  optionsCollection(),
];

/** Contact → Get Many: GET /api/v1/contacts page by page; one output item per contact. */
export async function execute(
  this: IExecuteFunctions,
  item: ItemClient,
): Promise<IDataObject[]> {
  return await item.readList(
    "/api/v1/contacts",
    {},
    readLimit(this, item.itemIndex),
  );
}
