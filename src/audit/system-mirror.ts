// After `init --system`, every record is also appended to the root-owned, append-only system log
// (src/system/audit-log.ts says what that does and does not guarantee), tagged with the writer's uid.
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { userInfo } from 'node:os';
import { SYSTEM_LOG } from '../system/layout.js';

/** Never creates the file (only init does, root-owned) and never fails the caller: the user log has the record. */
export const mirrorToSystemLog = (line: string, file = SYSTEM_LOG): void => {
  let fd: number;
  try {
    fd = openSync(file, constants.O_WRONLY | constants.O_APPEND);
  } catch {
    return;
  }
  try {
    const uid = process.getuid?.() ?? -1;
    let user = '';
    try {
      user = userInfo().username;
    } catch {
      // a uid with no passwd entry: the uid says enough
    }
    writeSync(fd, `${JSON.stringify({ uid, user, record: JSON.parse(line) as unknown })}\n`);
  } catch {
    // best effort, see above
  } finally {
    closeSync(fd);
  }
};
