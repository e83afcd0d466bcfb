"""Test escapee: listens on a free port and reports "<pid> <port>" in a file, ignoring
TERM/HUP/INT. Usage: hold_port.py REPORT_FILE [plain|daemon|daemon-wait]; daemon = fork,
setsid, fork; daemon-wait = the same, but the first two processes exit only once REPORT_FILE.go
exists (so a test can look at the tree before the grandchild is orphaned)."""
import os, signal, socket, sys, time

report, mode = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "plain")
def leave():
    while mode == "daemon-wait" and not os.path.exists(report + ".go"):
        time.sleep(0.01)
    os._exit(0)


if mode in ("daemon", "daemon-wait"):
    if os.fork() > 0:
        leave()
    os.setsid()
    if os.fork() > 0:
        leave()
for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
    signal.signal(sig, signal.SIG_IGN)
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(5)
with open(report + ".tmp", "w") as out:
    out.write(f"{os.getpid()} {listener.getsockname()[1]}\n")
os.rename(report + ".tmp", report)
while True:
    time.sleep(3600)
