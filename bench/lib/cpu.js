// CPU seconds from /proc: of one process, of the children that have exited, and of the
// PostgreSQL backends serving one database
// (found by the database name in their process title), for CPU-per-row figures.
const fs = require('fs');

// /proc/<pid>/stat counts CPU time in USER_HZ ticks, 100 per second on Linux.
const TICKS_PER_SECOND = 100;

function cpuSeconds(pid) {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** CPU seconds of this process's children that have exited and been waited for (wrk's, say). */
function exitedChildrenSeconds() {
  const f = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(f[13]) + Number(f[14])) / TICKS_PER_SECOND;
}

/** Read while the connections are open: a backend that has exited no longer counts. */
function backendSeconds(databaseName) {
  let total = 0;
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(` ${databaseName} `))
        total += cpuSeconds(pid);
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

module.exports = { cpuSeconds, backendSeconds, exitedChildrenSeconds };
