export { exists, writeFileAtomic } from "./files.ts";
