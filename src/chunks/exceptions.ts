import { AppError } from "../exceptions";
import { ErrorCode } from "./constants";

/** The chunk does not exist in this project (or the project is not visible: that is 404 first). */
export class ChunkNotFound extends AppError {
  constructor() {
    super(404, ErrorCode.CHUNK_NOT_FOUND, "Chunk not found", "No such chunk in this project.");
  }
}
