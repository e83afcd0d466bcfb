export { exists, writeFileAtomic } from "./files.ts";
export {
  type ConfinedOpen,
  ensureDirBeneath,
  type FolderUsage,
  listBeneath,
  type ListedEntry,
  lstatBeneath,
  mkdirBeneath,
  openBeneathSync,
  readBeneath,
  readPartBeneathSync,
  readTextBeneath,
  removeBeneath,
  removeBeneathSync,
  renameBeneath,
  renameBeneathSync,
  renameNoReplaceBeneath,
  usageBeneath,
  writeBeneath,
} from "./confined_files.ts";
export { PathRefused } from "./resolve_beneath.ts";
export { hasOpenat2 } from "./confined_libc.ts";
