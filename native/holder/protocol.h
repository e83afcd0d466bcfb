/*
 * The holder's wire protocol, mirrored in lib/holder/protocol.ts (change both together).
 *
 * Every frame: [type u8][payload length u32 little-endian][payload]. Integers are
 * little-endian. Output offsets count every byte the app wrote since the holder started.
 */
#ifndef AIKORE_HOLDER_PROTOCOL_H
#define AIKORE_HOLDER_PROTOCOL_H

#define PROTO_VERSION 1
#define FRAME_HEADER 5
#define MAX_CLIENT_PAYLOAD 65536 /* largest frame a client may send */
#define MAX_OUTPUT_PAYLOAD 65536 /* largest output data in one frame */
#define MAX_OUTPUT_PAYLOAD_LARGE (256 * 1024) /* the same for a client that asked for large frames */

/* client -> holder */
#define MSG_ATTACH 0x01 /* u64 from, u32 window, u16 cols, u16 rows, u8 flags, 3 x pad */
#define MSG_INPUT 0x02  /* bytes for the app's terminal */
#define MSG_RESIZE 0x03 /* u16 cols, u16 rows */
#define MSG_SIGNAL 0x04 /* u8 target, u8 signal number */
#define MSG_STATUS 0x05 /* empty; answered with MSG_STATUS_REPLY */
#define MSG_ACK 0x06    /* u64 offset: output consumed up to here */
#define MSG_PAUSE 0x07  /* empty */
#define MSG_RESUME 0x08 /* empty */
#define MSG_TAKE_INPUT 0x09 /* empty, alone on a connection: answered with MSG_PTY_FD, then closed */

/* holder -> client */
#define MSG_OUTPUT 0x81       /* u64 offset, data */
#define MSG_STATUS_REPLY 0x82 /* see STATUS_* layout below */
#define MSG_EXIT 0x83         /* i32 code (-1: none), i32 signal (0: none), u64 ended at (ms) */
#define MSG_GAP 0x84          /* u64 from, u64 to: output this client will never see */
#define MSG_ERROR 0x85        /* UTF-8 text; the holder closes the connection after it */
#define MSG_SIGNALED 0x86     /* u32 number of processes signalled */
#define MSG_PTY_FD 0x87       /* empty; carries the app's pty master (SCM_RIGHTS) */

#define ATTACH_PAYLOAD 20
#define ATTACH_FROM_NOW UINT64_MAX /* attach without replay */
#define ATTACH_FLAG_HOLD 0x01      /* never skip output for me: pause reading the app instead */
#define ATTACH_FLAG_LARGE 0x02     /* output frames up to MAX_OUTPUT_PAYLOAD_LARGE: fewer to join */

#define SIGNAL_TARGET_GROUP 1   /* the app's process group */
#define SIGNAL_TARGET_SESSION 2 /* every process of the app's session */

/* MSG_STATUS_REPLY payload (72 bytes) */
#define STATUS_PAYLOAD 72
/* off 0 u32 version, 4 u32 holder pid, 8 u32 app pid, 12 u8 state (0 running, 1 exited),
 * 13 u8 reserved, 14 u16 clients, 16 i32 code, 20 i32 signal, 24 u64 app start ticks,
 * 32 u64 ended at ms, 40 u64 head offset, 48 u64 oldest offset in scrollback,
 * 56 u64 log bytes dropped, 64 u16 cols, 66 u16 rows, 68 u32 scrollback capacity */

#endif
