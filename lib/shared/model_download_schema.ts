/** The bodies of the model download routes (server only: zod stays out of the pages). */
import { z } from "zod";
import { folderPathProblem } from "./folder_listing.ts";
import {
  downloadNameProblem,
  downloadUrlProblem,
  MODEL_DOWNLOAD_LIMITS,
} from "./model_download.ts";

const checked = (problem: (value: string) => string | null) =>
  z.string().superRefine((value, ctx) => {
    const reason = problem(value);
    if (reason) ctx.addIssue({ code: "custom", message: reason });
  });

const token = z.string().min(1).max(MODEL_DOWNLOAD_LIMITS.maxTokenLength)
  .regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces");

/** `POST /api/system/models/downloads`. */
export const modelDownloadSchema = z.strictObject({
  url: checked(downloadUrlProblem),
  /** The folder it goes to, relative to the models folder ("" or omitted: the folder itself). */
  folder: checked(folderPathProblem).default(""),
  /** The file's name; omitted: the server's, or the address's last segment. */
  name: checked(downloadNameProblem).optional(),
  /** Sent as `Authorization: Bearer …` (Hugging Face, CivitAI); never stored. */
  token: token.optional(),
});
export type ModelDownloadBody = z.infer<typeof modelDownloadSchema>;

/** `POST /api/system/models/folders`: a folder to make, relative to the models folder. */
export const modelFolderSchema = z.strictObject({
  path: checked((value) => value === "" ? "must name a folder" : folderPathProblem(value)),
});

/** `POST /api/system/models/downloads/{id}/resume`. */
export const modelDownloadResumeSchema = z.strictObject({ token: token.optional() });
