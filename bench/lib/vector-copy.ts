/**
 * Rows for `COPY chunks (project_id, embedding) FROM … WITH (FORMAT binary)`: Postgres's binary
 * COPY framing around pgvector's binary `vector` representation (int16 dim, int16 unused,
 * float4 × dim, all big-endian), which spares the server parsing 384 decimal floats per row.
 */

const SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00]; // PGCOPY\n\377\r\n\0

/**
 * Encodes (project_id int4, embedding vector) rows as one binary COPY stream.
 *
 * @example
 * await db.query("COPY t (p, e) FROM '/dev/blob' WITH (FORMAT binary)", [], { blob: binaryCopyRows(rows) });
 */
export function binaryCopyRows(rows: readonly { project: number; vector: number[] }[]): Blob {
  const dims = rows[0]?.vector.length ?? 0;
  const rowBytes = 2 + (4 + 4) + (4 + 4 + 4 * dims);
  const buffer = new ArrayBuffer(SIGNATURE.length + 8 + rows.length * rowBytes + 2);
  const view = new DataView(buffer);
  new Uint8Array(buffer).set(SIGNATURE);
  let at = SIGNATURE.length + 8; // flags and header-extension length, both 0
  for (const row of rows) {
    if (row.vector.length !== dims) throw new RangeError("all vectors must have the same length");
    view.setInt16(at, 2);
    view.setInt32(at + 2, 4);
    view.setInt32(at + 6, row.project);
    view.setInt32(at + 10, 4 + 4 * dims);
    view.setInt16(at + 14, dims);
    view.setInt16(at + 16, 0);
    at += 18;
    for (const x of row.vector) {
      view.setFloat32(at, x);
      at += 4;
    }
  }
  view.setInt16(at, -1);
  return new Blob([buffer]);
}
