import { resourceDescription } from "../operation";
import * as getAll from "./getAll.operation";
import * as optOut from "./optOut.operation";
import * as upsert from "./upsert.operation";

export const operations = { upsert, getAll, optOut };
export const description = resourceDescription("contact", operations, "upsert");
