/* net.c - detectors over sockets: unexpected-listener,
 * outbound-connection, raw-socket. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "detectors.h"

static int
in_list(const uint32_t *ports, uint32_t port)
{
  for (size_t i = 0; ports && ports[i]; i++)
    if (ports[i] == port)
      return 1;
  return 0;
}

int
det_address_internal(const char *addr)
{
  struct in_addr a4;
  struct in6_addr a6;
  if (!addr)
    return 1;
  if (inet_pton(AF_INET, addr, &a4) == 1) {
    uint32_t a = ntohl(a4.s_addr);
    return (a >> 24) == 127 || (a >> 24) == 10 || (a >> 20) == 0xac1 ||
           (a >> 16) == 0xc0a8 || (a >> 22) == (0x64400000u >> 22) ||
           (a >> 16) == 0xa9fe || a == 0;
  }
  if (inet_pton(AF_INET6, addr, &a6) == 1) {
    const uint8_t *b = a6.s6_addr;
    static const uint8_t zero[16];
    if (memcmp(b, zero, 15) == 0 && (b[15] == 1 || b[15] == 0))
      return 1; /* ::1, :: */
    if ((b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80))
      return 1;
    if (memcmp(b, zero, 10) == 0 && b[10] == 0xff && b[11] == 0xff) {
      char v4[INET_ADDRSTRLEN];
      snprintf(v4, sizeof v4, "%u.%u.%u.%u", b[12], b[13], b[14], b[15]);
      return det_address_internal(v4);
    }
    return 0;
  }
  return 1; /* not an address we can judge */
}

void
det_socket(const CkptSocketInfo *s, const uint32_t *declared,
           const uint32_t *listening, const DetSink *out)
{
  uint32_t pid = s->n_owners ? s->owner_pids[0] : 0;
  char ev[400];
  if (s->kind == CKPT_SK_PACKET ||
      (s->kind == CKPT_SK_INET && s->type == SOCK_RAW)) {
    snprintf(ev, sizeof ev, "%s socket (%s)%s%s",
             s->kind == CKPT_SK_PACKET ? "packet" : "raw IP",
             s->proto_name ? s->proto_name : "?", s->description ? ": " : "",
             s->description ? s->description : "");
    det_emit(out, "raw-socket", CKPT_SEV_MEDIUM, "raw or packet socket", pid,
             -1, 0, NULL, ev, "T1040",
             "raw sockets read and forge traffic below TCP and UDP: sniffers "
             "and scanners use them",
             "ckpt inspect --sockets");
    return;
  }
  if (s->kind != CKPT_SK_INET || !s->state_name)
    return;
  if (strcmp(s->state_name, "LISTEN") == 0) {
    if (!det_address_internal(s->src_addr) ||
        strcmp(s->src_addr, "0.0.0.0") == 0 || strcmp(s->src_addr, "::") == 0) {
      if (declared && in_list(declared, s->src_port))
        return;
      snprintf(ev, sizeof ev, "%s listening on %s:%u%s",
               s->proto_name ? s->proto_name : "TCP", s->src_addr, s->src_port,
               declared ? ", not a declared port" : " (no ports declared)");
      det_emit(out, "unexpected-listener",
               declared ? CKPT_SEV_MEDIUM : CKPT_SEV_LOW,
               "listening port not among the declared ports", pid, -1, 0, NULL,
               ev, "T1571",
               "a port nobody declared is a door nobody watches: bind shells "
               "and backdoors open one",
               "ckpt inspect --sockets");
    }
    return;
  }
  if (strcmp(s->state_name, "ESTABLISHED") == 0 &&
      !det_address_internal(s->dst_addr) && !in_list(listening, s->src_port)) {
    snprintf(ev, sizeof ev, "%s %s:%u -> %s:%u",
             s->proto_name ? s->proto_name : "TCP", s->src_addr, s->src_port,
             s->dst_addr, s->dst_port);
    det_emit(out, "outbound-connection", CKPT_SEV_MEDIUM,
             "connection out to an internet address", pid, -1, 0, NULL, ev,
             "T1071",
             "a container that talks to the internet on its own may be "
             "calling home",
             "ckpt inspect --sockets");
  }
}
