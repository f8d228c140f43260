/* `connd --sio-conformance PORT`: serves what the official Engine.IO and
 * Socket.IO compliance suites expect (spec socketio-and-proxy.md §3.2, §3.3)
 * on 127.0.0.1:PORT — a raw Engine.IO echo under /engine.io/ and the "/" and
 * "/custom" namespaces under /socket.io/, with the suites' timings. No
 * store, no instances, no auth: a test mode, never part of normal serving. */
#ifndef WG_REALTIME_CONFORMANCE_H
#define WG_REALTIME_CONFORMANCE_H

/* Runs until SIGTERM/SIGINT. Returns the process exit code (0, or 1 when
 * the port cannot be used, with the reason logged). */
int wg_realtime_conformance_run(int port);

#endif
