/*
 * ip-replay-shim: an LD_PRELOAD library that lets iproute2 print netlink messages we made.
 *
 * Test scaffolding for the view oracle tests (test/oracle/view-*.test.ts), for link kinds the
 * running kernel cannot create (ipip, gre, vlan, bond, vrf, ...). It watches the netlink
 * requests ip sends; when the reply to the first dump request of type NLKIT_SHIM_GET arrives,
 * it puts the messages of the file NLKIT_SHIM_FILE in front of the kernel's reply (their
 * nlmsg_seq and nlmsg_pid patched to the reply's), exactly once. ip then prints those messages
 * as if the kernel had sent them.
 *
 *   NLKIT_SHIM_FILE=msgs.bin NLKIT_SHIM_GET=18 LD_PRELOAD=./shim.so ip -j -d link show
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

static ssize_t (*real_recvmsg)(int, struct msghdr *, int);
static ssize_t (*real_sendmsg)(int, const struct msghdr *, int);
static ssize_t (*real_send)(int, const void *, size_t, int);
static ssize_t (*real_sendto)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);

static unsigned char *fake;
static size_t fake_len;
static int want_get = -1;
static int state; /* 0 loading, 1 armed, 2 waiting for reply, 3 done */
static uint32_t want_seq;

static void init(void)
{
	if (state)
		return;
	state = 3;
	real_recvmsg = dlsym(RTLD_NEXT, "recvmsg");
	real_sendmsg = dlsym(RTLD_NEXT, "sendmsg");
	real_send = dlsym(RTLD_NEXT, "send");
	real_sendto = dlsym(RTLD_NEXT, "sendto");
	const char *file = getenv("NLKIT_SHIM_FILE");
	const char *get = getenv("NLKIT_SHIM_GET");
	if (!file || !get)
		return;
	want_get = atoi(get);
	FILE *f = fopen(file, "rb");
	if (!f)
		return;
	fake = malloc(1 << 20);
	fake_len = fread(fake, 1, 1 << 20, f);
	fclose(f);
	state = 1;
}

static int is_netlink(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return 0;
	return ss.ss_family == AF_NETLINK;
}

static void saw_request(int fd, const void *buf, size_t len)
{
	const struct nlmsghdr *h = buf;
	if (state != 1 || len < sizeof(*h) || !is_netlink(fd))
		return;
	if (h->nlmsg_type == want_get && (h->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP) {
		want_seq = h->nlmsg_seq;
		state = 2;
	}
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)
{
	init();
	if (msg->msg_iovlen > 0)
		saw_request(fd, msg->msg_iov[0].iov_base, msg->msg_iov[0].iov_len);
	return real_sendmsg(fd, msg, flags);
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	init();
	saw_request(fd, buf, len);
	return real_send(fd, buf, len, flags);
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *a, socklen_t al)
{
	init();
	saw_request(fd, buf, len);
	return real_sendto(fd, buf, len, flags, a, al);
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags)
{
	static unsigned char peek[1 << 16];
	init();
	if (state != 2 || !is_netlink(fd))
		return real_recvmsg(fd, msg, flags);
	ssize_t n = recv(fd, peek, sizeof(peek), MSG_PEEK);
	const struct nlmsghdr *h = (const void *)peek;
	if (n < (ssize_t)sizeof(*h) || h->nlmsg_seq != want_seq)
		return real_recvmsg(fd, msg, flags);
	ssize_t r = real_recvmsg(fd, msg, flags);
	if (r < 0)
		return r;
	size_t total = fake_len + (size_t)n;
	unsigned char *out = malloc(total);
	memcpy(out, fake, fake_len);
	memcpy(out + fake_len, peek, (size_t)n);
	for (size_t off = 0; off + sizeof(struct nlmsghdr) <= fake_len;) {
		struct nlmsghdr *m = (void *)(out + off);
		if (m->nlmsg_len < sizeof(*m))
			break;
		m->nlmsg_seq = h->nlmsg_seq;
		m->nlmsg_pid = h->nlmsg_pid;
		m->nlmsg_flags |= NLM_F_MULTI;
		off += NLMSG_ALIGN(m->nlmsg_len);
	}
	size_t done = 0;
	for (size_t i = 0; i < msg->msg_iovlen && done < total; i++) {
		size_t c = msg->msg_iov[i].iov_len;
		if (c > total - done)
			c = total - done;
		memcpy(msg->msg_iov[i].iov_base, out + done, c);
		done += c;
	}
	free(out);
	if (!(flags & MSG_PEEK))
		state = 3;
	return (ssize_t)total;
}
