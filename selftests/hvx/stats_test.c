// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvx's generic netlink family "hvx" and tools/hvxstat: a VM is listed
 * with its creator's pid and its vCPUs, its CPUID and port I/O exit
 * counters grow by what its guest did, a nested guest's exits are counted
 * in the L1 and L2 sets (VT-x host), bad requests get their errno and a
 * message, readers without CAP_SYS_ADMIN get EPERM, a dump spanning many
 * messages lists every VM once, and dumping while VMs come and go is
 * safe.  Netlink is spoken here over a raw socket, so the test checks the
 * ABI itself; hvxstat (run-host.sh --extra build/hvxstat/extra puts it at
 * /extra/hvxstat, or $HVXSTAT) is then checked to name the VM.
 *
 * Debian's kvm has no such family: against the reference every case
 * skips.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/genetlink.h>
#include <linux/hvx.h>
#include <linux/netlink.h>

#include "hvx_test.h"
#include "ktap.h"
#include "vm.h"
#include "vmx_l1.h"

#define NR_CPUID	100
#define NR_OUTS		50
#define OUT_PORT	0x80
#define NR_MANY_VMS	40
#define NR_CHURN	30
#define NR_L2_CPUID	50
#define VMX_CPUID	10
#define VMX_VMRESUME	24

extern char _end[];

/* ---- a small generic netlink client over a raw socket ---- */

struct nl_vm {
	uint64_t id;
	uint32_t pid, nr_vcpus;
	char backend[16];
	uint64_t stat[HVX_A_STAT_MAX + 1];
	uint64_t exits[HVX_NR_EXIT_SETS][HVX_NR_EXIT_REASONS];
	int nr_exit_attrs;
};

struct nl_vms {
	struct nl_vm vm[NR_MANY_VMS + 8];
	int n;
	int overflow;
};

static int nl_fd = -1;
static uint16_t hvx_family;
static uint32_t nl_seq;
/*
 * The extended ack of the last error: its message, and the missing
 * attribute's type (or -1).
 */
static char nl_msg[256];
static int nl_miss_type;

#define nla_for_each(a, head, len)					\
	for (a = (struct nlattr *)(head);				\
	     (char *)(a) + NLA_HDRLEN <= (char *)(head) + (len) &&	\
	     (a)->nla_len >= NLA_HDRLEN &&				\
	     (char *)(a) + (a)->nla_len <= (char *)(head) + (len);	\
	     a = (struct nlattr *)((char *)(a) + NLA_ALIGN((a)->nla_len)))

static void *nla_data(struct nlattr *a)
{
	return (char *)a + NLA_HDRLEN;
}

static int nla_type(const struct nlattr *a)
{
	return a->nla_type & NLA_TYPE_MASK;
}

static uint64_t nla_u64(struct nlattr *a)
{
	uint64_t v;

	memcpy(&v, nla_data(a), sizeof(v));
	return v;
}

static uint32_t nla_u32(struct nlattr *a)
{
	uint32_t v;

	memcpy(&v, nla_data(a), sizeof(v));
	return v;
}

/* A request: header, generic header, attributes. */
struct nl_req {
	struct nlmsghdr n;
	struct genlmsghdr g;
	char attrs[256];
};

static void req_init(struct nl_req *r, uint16_t type, uint8_t cmd,
		     uint16_t flags)
{
	memset(r, 0, sizeof(*r));
	r->n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	r->n.nlmsg_type = type;
	r->n.nlmsg_flags = NLM_F_REQUEST | flags;
	r->n.nlmsg_seq = ++nl_seq;
	r->g.cmd = cmd;
	r->g.version = 1;
}

static void req_put(struct nl_req *r, uint16_t type, const void *data,
		    uint16_t len)
{
	struct nlattr *a = (void *)((char *)r + NLMSG_ALIGN(r->n.nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy(nla_data(a), data, len);
	r->n.nlmsg_len = NLMSG_ALIGN(r->n.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

/* The message of an error's extended ack (NETLINK_CAP_ACK is on). */
static void keep_extack(struct nlmsghdr *h)
{
	struct nlmsgerr *e = NLMSG_DATA(h);
	size_t off = NLMSG_HDRLEN + sizeof(*e);
	struct nlattr *a;

	nl_msg[0] = '\0';
	nl_miss_type = -1;
	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS) || h->nlmsg_len <= off)
		return;
	nla_for_each(a, (char *)h + off, h->nlmsg_len - off) {
		if (nla_type(a) == NLMSGERR_ATTR_MSG)
			snprintf(nl_msg, sizeof(nl_msg), "%s",
				 (char *)nla_data(a));
		if (nla_type(a) == NLMSGERR_ATTR_MISS_TYPE)
			nl_miss_type = nla_u32(a);
	}
}

/*
 * Send @r and hand each reply to @fn until the reply (a request) or
 * NLMSG_DONE (a dump).  Returns 0 or the kernel's -errno.
 */
static int nl_talk(struct nl_req *r, void (*fn)(struct nlmsghdr *, void *),
		   void *arg)
{
	static char buf[65536];
	bool dump = r->n.nlmsg_flags & NLM_F_DUMP;
	struct nlmsghdr *h;
	ssize_t n;

	nl_msg[0] = '\0';
	nl_miss_type = -1;
	if (send(nl_fd, r, r->n.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		n = recv(nl_fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		for (h = (void *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != r->n.nlmsg_seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				keep_extack(h);
				return e->error;
			}
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			fn(h, arg);
			if (!dump)
				return 0;
		}
	}
}

static void on_family(struct nlmsghdr *h, void *arg)
{
	struct genlmsghdr *g = NLMSG_DATA(h);
	struct nlattr *a;

	nla_for_each(a, (char *)g + GENL_HDRLEN, h->nlmsg_len -
		     NLMSG_LENGTH(GENL_HDRLEN))
		if (nla_type(a) == CTRL_ATTR_FAMILY_ID)
			*(uint16_t *)arg = *(uint16_t *)nla_data(a);
}

/* A netlink socket with extended acks, and hvx's family id in it. */
static int nl_open(void)
{
	int one = 1, r;
	struct nl_req req;

	if (nl_fd >= 0)
		close(nl_fd);
	nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl_fd < 0)
		return -errno;
	setsockopt(nl_fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	req_init(&req, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	req_put(&req, CTRL_ATTR_FAMILY_NAME, HVX_GENL_NAME,
		sizeof(HVX_GENL_NAME));
	hvx_family = 0;
	r = nl_talk(&req, on_family, &hvx_family);
	if (!r && !hvx_family)
		r = -ENOENT;
	return r;
}

static void parse_exit(struct nl_vm *vm, struct nlattr *nest)
{
	uint32_t set = ~0u, reason = ~0u;
	uint64_t count = 0;
	struct nlattr *a;

	nla_for_each(a, nla_data(nest), nest->nla_len - NLA_HDRLEN) {
		if (nla_type(a) == HVX_A_EXIT_SET)
			set = nla_u32(a);
		else if (nla_type(a) == HVX_A_EXIT_REASON)
			reason = nla_u32(a);
		else if (nla_type(a) == HVX_A_EXIT_COUNT)
			count = nla_u64(a);
	}
	vm->nr_exit_attrs++;
	if (set < HVX_NR_EXIT_SETS && reason < HVX_NR_EXIT_REASONS)
		vm->exits[set][reason] = count;
}

static void on_vm(struct nlmsghdr *h, void *arg)
{
	struct genlmsghdr *g = NLMSG_DATA(h);
	struct nl_vms *l = arg;
	struct nl_vm *vm;
	struct nlattr *a, *s;

	if (l->n == (int)(sizeof(l->vm) / sizeof(l->vm[0]))) {
		l->overflow++;
		return;
	}
	vm = &l->vm[l->n++];
	memset(vm, 0, sizeof(*vm));
	nla_for_each(a, (char *)g + GENL_HDRLEN, h->nlmsg_len -
		     NLMSG_LENGTH(GENL_HDRLEN)) {
		switch (nla_type(a)) {
		case HVX_A_VM_ID:
			vm->id = nla_u64(a);
			break;
		case HVX_A_VM_PID:
			vm->pid = nla_u32(a);
			break;
		case HVX_A_VM_NR_VCPUS:
			vm->nr_vcpus = nla_u32(a);
			break;
		case HVX_A_VM_BACKEND:
			snprintf(vm->backend, sizeof(vm->backend), "%s",
				 (char *)nla_data(a));
			break;
		case HVX_A_VM_STATS:
			nla_for_each(s, nla_data(a), a->nla_len - NLA_HDRLEN)
				if (nla_type(s) <= HVX_A_STAT_MAX)
					vm->stat[nla_type(s)] = nla_u64(s);
			break;
		case HVX_A_VM_EXIT:
			parse_exit(vm, a);
			break;
		}
	}
}

/* Every VM (a dump). */
static int nl_dump(struct nl_vms *l)
{
	struct nl_req req;

	l->n = l->overflow = 0;
	req_init(&req, hvx_family, HVX_CMD_GET_VM, NLM_F_DUMP);
	return nl_talk(&req, on_vm, l);
}

/* One VM, with its exit counters. */
static int nl_get(uint64_t id, struct nl_vm *vm)
{
	static struct nl_vms l;
	struct nl_req req;
	int r;

	l.n = l.overflow = 0;
	req_init(&req, hvx_family, HVX_CMD_GET_VM, 0);
	req_put(&req, HVX_A_VM_ID, &id, sizeof(id));
	r = nl_talk(&req, on_vm, &l);
	if (!r && l.n != 1)
		return -EBADMSG;
	if (!r)
		*vm = l.vm[0];
	return r;
}

/* ---- the VM under test ---- */

static struct vm vm;
static struct vcpu vcpu;
static bool have_vm;
static uint64_t vm_id;
static struct nl_vm before, after;

static void guest_cpuid_and_outs(uint64_t arg)
{
	uint32_t r[4];
	int i;

	for (i = 0; i < NR_CPUID; i++)
		guest_cpuid(0, 0, r);
	for (i = 0; i < NR_OUTS; i++)
		guest_outb(OUT_PORT, i);
	GUEST_DONE();
}

/* The slots of the CPUID and port I/O exits on this backend. */
static unsigned int cpuid_slot(const char *backend)
{
	return strcmp(backend, "svm") ? 10 :
	       0x072 - HVX_SVM_CODE_BASE + HVX_SVM_SLOT_BASE;
}

static unsigned int io_slot(const char *backend)
{
	return strcmp(backend, "svm") ? 30 :
	       0x07b - HVX_SVM_CODE_BASE + HVX_SVM_SLOT_BASE;
}

#define REQUIRE_HVX()							\
	do {								\
		if (hvx_is_reference())					\
			SKIP("generic netlink family is hvx's own");	\
	} while (0)

static enum ktap_result family_registered(void)
{
	int r;

	REQUIRE_HVX();
	r = nl_open();
	CHECK(!r, "family \"%s\": %s", HVX_GENL_NAME, strerror(-r));
	ktap_diag("family \"%s\" has id %u", HVX_GENL_NAME, hvx_family);
	return KTAP_PASS;
}

/* The newest VM this process made, from a dump. */
static int find_own_vm(struct nl_vm *out)
{
	static struct nl_vms l;
	int r, i, found = 0;

	r = nl_dump(&l);
	if (r)
		return r;
	for (i = 0; i < l.n; i++)
		if (l.vm[i].pid == (uint32_t)getpid() &&
		    (!found || l.vm[i].id > out->id)) {
			*out = l.vm[i];
			found = 1;
		}
	return found ? 0 : -ENOENT;
}

static enum ktap_result vm_listed(void)
{
	struct nl_vm nv;
	int r;

	REQUIRE_HVX();
	CHECK(hvx_family, "no family");
	r = vm_create(&vm);
	if (r == -EOPNOTSUPP)
		SKIP("no guests on %s", hvx_dev_path());
	CHECK(!r, "vm_create: %s", strerror(-r));
	have_vm = true;
	r = vcpu_add(&vm, &vcpu, 0);
	CHECK(!r, "vcpu_add: %s", strerror(-r));

	r = find_own_vm(&nv);
	CHECK(!r, "this process's VM is not in the dump: %s", strerror(-r));
	vm_id = nv.id;
	ktap_diag("VM %llu: pid %u, %u vCPU, backend %s",
		  (unsigned long long)nv.id, nv.pid, nv.nr_vcpus, nv.backend);
	CHECK(nv.id > 0, "VM ids start at 1");
	CHECK(nv.nr_vcpus == 1, "%u vCPUs listed, 1 made", nv.nr_vcpus);
	CHECK(!strcmp(nv.backend, hvx_host_kind()),
	      "backend \"%s\" on the %s host", nv.backend, hvx_host_kind());
	CHECK(nv.nr_exit_attrs == 0, "the dump carries no exit counters");
	return KTAP_PASS;
}

static enum ktap_result exit_counters_grow(void)
{
	unsigned int outs = 0, cs, is, set, slot;
	uint64_t sum = 0;
	struct ucall uc;
	int r;

	REQUIRE_HVX();
	CHECK(vm_id, "no VM");
	r = nl_get(vm_id, &before);
	CHECK(!r, "get VM %llu: %s", (unsigned long long)vm_id,
	      strerror(-r));

	r = vcpu_setup_long(&vcpu, guest_cpuid_and_outs, 0);
	CHECK(!r, "vcpu_setup_long: %s", strerror(-r));
	for (;;) {
		r = vcpu_run(&vcpu);
		CHECK(r >= 0, "KVM_RUN: %s", strerror(-r));
		if (r == KVM_EXIT_IO && vcpu.run->io.port == OUT_PORT &&
		    vcpu.run->io.direction == KVM_EXIT_IO_OUT) {
			outs++;
			continue;
		}
		r = vcpu_ucall(&vcpu, &uc);
		CHECK(r == UCALL_DONE, "guest stopped: exit %s, ucall %d",
		      exit_reason_name(vcpu.run->exit_reason), r);
		break;
	}
	CHECK(outs == NR_OUTS, "%u port writes seen, %u made", outs, NR_OUTS);

	r = nl_get(vm_id, &after);
	CHECK(!r, "get VM %llu: %s", (unsigned long long)vm_id,
	      strerror(-r));
	cs = cpuid_slot(after.backend);
	is = io_slot(after.backend);
	ktap_diag("CPUID exits %llu -> %llu, I/O exits %llu -> %llu, "
		  "total %llu -> %llu",
		  (unsigned long long)before.exits[0][cs],
		  (unsigned long long)after.exits[0][cs],
		  (unsigned long long)before.exits[0][is],
		  (unsigned long long)after.exits[0][is],
		  (unsigned long long)before.stat[HVX_A_STAT_EXITS],
		  (unsigned long long)after.stat[HVX_A_STAT_EXITS]);
	CHECK(after.exits[HVX_EXIT_SET_GUEST][cs] -
	      before.exits[HVX_EXIT_SET_GUEST][cs] >= NR_CPUID,
	      "CPUID exits grew by less than %d", NR_CPUID);
	CHECK(after.exits[HVX_EXIT_SET_GUEST][is] -
	      before.exits[HVX_EXIT_SET_GUEST][is] >= NR_OUTS,
	      "port I/O exits grew by less than %d", NR_OUTS);
	CHECK(after.stat[HVX_A_STAT_EXITS] - before.stat[HVX_A_STAT_EXITS] >=
	      NR_CPUID + NR_OUTS, "the exit total grew too little");
	CHECK(after.stat[HVX_A_STAT_EXITS_TO_USER] -
	      before.stat[HVX_A_STAT_EXITS_TO_USER] >= NR_OUTS,
	      "exits to userspace grew too little");

	/* Only nonzero counters are sent; none beyond the total. */
	for (set = 0; set < HVX_NR_EXIT_SETS; set++)
		for (slot = 0; slot < HVX_NR_EXIT_REASONS; slot++)
			sum += after.exits[set][slot];
	CHECK(sum <= after.stat[HVX_A_STAT_EXITS],
	      "exits by reason %llu, more than the total %llu",
	      (unsigned long long)sum,
	      (unsigned long long)after.stat[HVX_A_STAT_EXITS]);
	CHECK(after.exits[HVX_EXIT_SET_L1][cs] == 0 &&
	      after.exits[HVX_EXIT_SET_L2][cs] == 0,
	      "a guest without VMX counted as L1 or L2");
	CHECK(!after.stat[HVX_A_STAT_NESTED_REFLECTED],
	      "reflected exits without an L1");
	return KTAP_PASS;
}

static int hvxstat(const char *args, char *out, size_t len);
static void diag_lines(const char *text);

/* ---- a nested guest: L1 runs an L2 that executes CPUID ---- */

static struct vmx_l2 l2;

static void l2_cpuids(uint64_t n)
{
	uint32_t r[4];
	uint64_t i;

	for (i = 0; i < n; i++)
		guest_cpuid(0, 0, r);
}

/* L1 answers nothing: it moves L2 past each CPUID. */
static bool l1_skip_cpuid(struct vmx_l2 *l2, void *ctx)
{
	if (l2->exit_reason != VMX_CPUID)
		return false;
	vmx_l2_skip_insn(l2);
	return true;
}

static void l1_runs_l2(uint64_t n)
{
	L1_ASSERT_EQ(vmx_l1_enable(), VMX_OK);
	L1_ASSERT_EQ(vmx_l2_setup(&l2, L1_VMCS_GPA(0), l2_cpuids, n, 0), 0);
	L1_ASSERT_EQ(vmx_l2_loop(&l2, l1_skip_cpuid, NULL), 0);
	L1_ASSERT_EQ(vmx_l1_disable(), VMX_OK);
	GUEST_DONE();
}

/*
 * Each of L2's CPUIDs exits to hvx (L2 set) and is reflected to L1, which
 * resumes L2 with a VMRESUME that exits to hvx too (L1 set); the totals
 * of struct hvx_vm_stats are the sums of the two sets.
 */
static enum ktap_result nested_sets(void)
{
	enum ktap_result res = KTAP_FAIL;
	static char out[16384];
	struct vm nvm;
	struct vcpu nvcpu;
	struct nl_vm nv;
	uint64_t l1 = 0, l2sum = 0, refl;
	unsigned int slot;
	struct ucall uc;
	char args[32];
	int fd, r;

	REQUIRE_HVX();
	CHECK(hvx_family, "no family");
	fd = hvx_open_dev();
	CHECK(fd >= 0, "open: %s", strerror(-fd));
	r = vmx_l1_offered(fd);
	close(fd);
	if (!r)
		SKIP("no nested VMX on %s", hvx_dev_path());
	CHECK((uintptr_t)_end <= L1_MEM_BASE,
	      "the binary (to %p) overlaps L1's memory", _end);
	r = vmx_l1_vm_create(&nvm, &nvcpu, l1_runs_l2, NR_L2_CPUID);
	CHECK(!r, "a VM for L1: %s", strerror(-r));
	r = vcpu_run_ucall(&nvcpu, &uc);
	if (r != UCALL_DONE) {
		ktap_diag("L1 stopped: %d%s", r,
			  r == UCALL_ASSERT ? " (an L1 assertion)" : "");
		goto out;
	}
	/* The newest VM of this process is this one. */
	r = find_own_vm(&nv);
	if (!r)
		r = nl_get(nv.id, &nv);
	if (r) {
		ktap_diag("get: %s", strerror(-r));
		goto out;
	}
	for (slot = 0; slot < HVX_NR_EXIT_REASONS; slot++) {
		l1 += nv.exits[HVX_EXIT_SET_L1][slot];
		l2sum += nv.exits[HVX_EXIT_SET_L2][slot];
	}
	refl = nv.stat[HVX_A_STAT_NESTED_REFLECTED];
	ktap_diag("L2: %llu exits (%llu CPUID), L1: %llu exits (%llu "
		  "VMRESUME), reflected %llu",
		  (unsigned long long)l2sum,
		  (unsigned long long)nv.exits[HVX_EXIT_SET_L2][VMX_CPUID],
		  (unsigned long long)l1,
		  (unsigned long long)nv.exits[HVX_EXIT_SET_L1][VMX_VMRESUME],
		  (unsigned long long)refl);
	if (nv.exits[HVX_EXIT_SET_L2][VMX_CPUID] < NR_L2_CPUID ||
	    refl < NR_L2_CPUID ||
	    nv.exits[HVX_EXIT_SET_L1][VMX_VMRESUME] < NR_L2_CPUID) {
		ktap_diag("expected at least %d of each", NR_L2_CPUID);
		goto out;
	}
	if (l1 != nv.stat[HVX_A_STAT_NESTED_L1_EXITS] ||
	    l2sum != nv.stat[HVX_A_STAT_NESTED_L2_EXITS]) {
		ktap_diag("the sets do not add up to the totals (L1 %llu, "
			  "L2 %llu)",
			  (unsigned long long)nv.stat[HVX_A_STAT_NESTED_L1_EXITS],
			  (unsigned long long)nv.stat[HVX_A_STAT_NESTED_L2_EXITS]);
		goto out;
	}
	/* hvxstat's view of it, when it is there (hvxstat_names_vm). */
	if (!access(getenv("HVXSTAT") ? getenv("HVXSTAT") : "/extra/hvxstat",
		    X_OK)) {
		snprintf(args, sizeof(args), "%llu",
			 (unsigned long long)nv.id);
		r = hvxstat(args, out, sizeof(out));
		diag_lines(out);
		if (r || !strstr(out, "VMRESUME")) {
			ktap_diag("hvxstat %s: exit %d, no VMRESUME line", args,
				  r);
			goto out;
		}
	}
	res = KTAP_PASS;
out:
	vcpu_destroy(&nvcpu);
	vm_destroy(&nvm);
	return res;
}

static enum ktap_result bad_requests(void)
{
	static struct nl_vms l;
	struct nl_req req;
	struct nl_vm nv;
	uint32_t pid = 1;
	int r;

	REQUIRE_HVX();
	CHECK(hvx_family, "no family");
	r = nl_get(vm_id + 1000000, &nv);
	CHECK(r == -ENOENT, "an unknown VM id: %s, expected ENOENT",
	      strerror(-r));
	CHECK(strstr(nl_msg, "no VM"), "extack message \"%s\"", nl_msg);
	ktap_diag("unknown id: %s (\"%s\")", strerror(-r), nl_msg);

	req_init(&req, hvx_family, HVX_CMD_GET_VM, 0);
	r = nl_talk(&req, on_vm, &l);
	CHECK(r == -EINVAL, "no HVX_A_VM_ID: %s, expected EINVAL",
	      strerror(-r));
	CHECK(nl_msg[0], "no extack message for a missing attribute");
	CHECK(nl_miss_type == HVX_A_VM_ID, "missing attribute type %d, "
	      "expected HVX_A_VM_ID", nl_miss_type);
	ktap_diag("missing id: %s (\"%s\")", strerror(-r), nl_msg);

	/* An attribute the request does not take, and a short id. */
	req_init(&req, hvx_family, HVX_CMD_GET_VM, 0);
	req_put(&req, HVX_A_VM_ID, &vm_id, sizeof(vm_id));
	req_put(&req, HVX_A_VM_PID, &pid, sizeof(pid));
	r = nl_talk(&req, on_vm, &l);
	CHECK(r == -EINVAL, "HVX_A_VM_PID in a request: %s, expected EINVAL",
	      strerror(-r));
	req_init(&req, hvx_family, HVX_CMD_GET_VM, 0);
	req_put(&req, HVX_A_VM_ID, &pid, sizeof(pid));
	r = nl_talk(&req, on_vm, &l);
	CHECK(r == -EINVAL, "a 4-byte id: %s, expected EINVAL", strerror(-r));
	return KTAP_PASS;
}

/* In a child: drop CAP_SYS_ADMIN and ask; the exit code is the errno. */
static enum ktap_result needs_cap_sys_admin(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	static struct nl_vms l;
	struct nl_vm nv;
	int status, r;
	pid_t pid;

	REQUIRE_HVX();
	CHECK(hvx_family, "no family");
	pid = fork();
	CHECK(pid >= 0, "fork: %s", strerror(errno));
	if (!pid) {
		if (syscall(SYS_capget, &hdr, data))
			_exit(100);
		data[CAP_SYS_ADMIN / 32].effective &=
			~(1u << (CAP_SYS_ADMIN % 32));
		if (syscall(SYS_capset, &hdr, data))
			_exit(101);
		/* A socket opened without the capability, too. */
		if (nl_open())
			_exit(102);
		r = nl_dump(&l);
		if (r != -EPERM)
			_exit(103);
		r = nl_get(vm_id, &nv);
		_exit(r == -EPERM && strstr(nl_msg, "CAP_SYS_ADMIN") ? 0 : 104);
	}
	CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "without CAP_SYS_ADMIN: child status %#x (103: dump not EPERM, "
	      "104: get not EPERM with a message)", status);
	return KTAP_PASS;
}

/* Run hvxstat with @args; its stdout and stderr go to @out. */
static int hvxstat(const char *args, char *out, size_t len)
{
	const char *bin = getenv("HVXSTAT");
	char cmd[256];
	size_t n = 0;
	FILE *f;
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s 2>&1",
		 bin && *bin ? bin : "/extra/hvxstat", args);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (n + 1 < len && fgets(out + n, len - n, f))
		n += strlen(out + n);
	out[n] = '\0';
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/*
 * Run hvxstat without CAP_SYS_ADMIN: out of the bounding set too, or root
 * would get it back at exec.  Returns its exit code, output in @out.
 */
static int hvxstat_unprivileged(const char *bin, char *out, size_t len)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];
	uint32_t bit = 1u << (CAP_SYS_ADMIN % 32);
	int p[2], st;
	ssize_t n, got = 0;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		if (prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0) ||
		    syscall(SYS_capget, &hdr, data))
			_exit(100);
		data[CAP_SYS_ADMIN / 32].effective &= ~bit;
		data[CAP_SYS_ADMIN / 32].permitted &= ~bit;
		data[CAP_SYS_ADMIN / 32].inheritable &= ~bit;
		if (syscall(SYS_capset, &hdr, data))
			_exit(101);
		execl(bin, bin, (char *)NULL);
		_exit(102);
	}
	close(p[1]);
	while (got + 1 < (ssize_t)len &&
	       (n = read(p[0], out + got, len - 1 - got)) > 0)
		got += n;
	out[got] = '\0';
	close(p[0]);
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void diag_lines(const char *text)
{
	const char *p = text, *nl;

	while (*p) {
		nl = strchr(p, '\n');
		ktap_diag("| %.*s", (int)(nl ? nl - p : (long)strlen(p)), p);
		if (!nl)
			break;
		p = nl + 1;
	}
}

static enum ktap_result hvxstat_names_vm(void)
{
	const char *bin = getenv("HVXSTAT");
	static char out[16384];
	unsigned long long id;
	unsigned int pid, vcpus;
	char args[64], backend[16];
	bool listed = false;
	const char *p;
	int rc;

	REQUIRE_HVX();
	if (!bin || !*bin)
		bin = "/extra/hvxstat";
	if (access(bin, X_OK))
		SKIP("no %s (run-host.sh --extra build/hvxstat/extra)", bin);
	CHECK(vm_id, "no VM");

	rc = hvxstat("", out, sizeof(out));
	diag_lines(out);
	CHECK(rc == 0, "hvxstat exited %d", rc);
	for (p = out; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (sscanf(p, "%llu %u %u %15s", &id, &pid, &vcpus,
			   backend) == 4 && id == vm_id)
			listed = pid == (unsigned int)getpid() && vcpus == 1 &&
				 !strcmp(backend, hvx_host_kind());
	CHECK(listed, "no line \"%llu %d 1 %s ...\"",
	      (unsigned long long)vm_id, getpid(), hvx_host_kind());

	snprintf(args, sizeof(args), "%llu", (unsigned long long)vm_id);
	rc = hvxstat(args, out, sizeof(out));
	diag_lines(out);
	CHECK(rc == 0, "hvxstat %s exited %d", args, rc);
	snprintf(args, sizeof(args), "VM %llu:", (unsigned long long)vm_id);
	CHECK(strstr(out, args), "no \"%s\"", args);
	CHECK(strstr(out, " CPUID "), "no CPUID line");
	CHECK(strstr(out, strcmp(hvx_host_kind(), "svm") ? "IO_INSTRUCTION" :
		      "IOIO"), "no port I/O line");
	CHECK(strstr(out, "exits per reflected exit"), "no nested line");

	/* Two reports a second apart: the second is the change. */
	snprintf(args, sizeof(args), "-i 1 -c 2 %llu",
		 (unsigned long long)vm_id);
	rc = hvxstat(args, out, sizeof(out));
	CHECK(rc == 0 && strstr(out, "since creation") &&
	      strstr(out, "the last 1 s"), "hvxstat %s exited %d:\n%s", args,
	      rc, out);

	rc = hvxstat("18446744073709551615", out, sizeof(out));
	CHECK(rc == 1 && strstr(out, "no VM with id"),
	      "an unknown VM: exit %d, \"%s\"", rc, out);
	rc = hvxstat("-i 0", out, sizeof(out));
	CHECK(rc == 2, "bad usage: exit %d, expected 2", rc);
	rc = hvxstat_unprivileged(bin, out, sizeof(out));
	CHECK(rc == 1 && strstr(out, "permission denied"),
	      "without CAP_SYS_ADMIN: exit %d, \"%s\"", rc, out);
	return KTAP_PASS;
}

/* Many VMs: the dump needs several messages and lists each once. */
static enum ktap_result dump_many(void)
{
	static struct nl_vms l;
	int fds[NR_MANY_VMS], sys_fd, i, j, seen, r;
	enum ktap_result res = KTAP_FAIL;
	uint64_t last = 0;

	REQUIRE_HVX();
	CHECK(hvx_family, "no family");
	sys_fd = hvx_open_dev();
	CHECK(sys_fd >= 0, "open: %s", strerror(-sys_fd));
	for (i = 0; i < NR_MANY_VMS; i++) {
		fds[i] = ioctl(sys_fd, KVM_CREATE_VM, 0);
		if (fds[i] < 0) {
			ktap_diag("VM %d: %s", i, strerror(errno));
			goto out;
		}
	}
	r = nl_dump(&l);
	if (r || l.overflow) {
		ktap_diag("dump: %s, %d VMs too many", strerror(-r),
			  l.overflow);
		goto out;
	}
	seen = 0;
	for (j = 0; j < l.n; j++) {
		if (l.vm[j].id <= last) {
			ktap_diag("VM %llu after VM %llu: not in id order",
				  (unsigned long long)l.vm[j].id,
				  (unsigned long long)last);
			goto out;
		}
		last = l.vm[j].id;
		seen += l.vm[j].pid == (uint32_t)getpid();
	}
	/* Ours: the VM of the earlier cases and these. */
	if (seen != NR_MANY_VMS + have_vm) {
		ktap_diag("%d of this process's VMs listed, %d exist", seen,
			  NR_MANY_VMS + have_vm);
		goto out;
	}
	res = KTAP_PASS;
out:
	while (i-- > 0)
		close(fds[i]);
	close(sys_fd);
	return res;
}

/*
 * A child creates and closes VMs while this process dumps: a VM torn
 * down in the middle of a dump must neither crash the host nor appear
 * twice.
 */
static enum ktap_result dump_while_vms_go(void)
{
	static struct nl_vms l;
	int i, r = 0, status, sys_fd, fd, vcpu_fd;
	pid_t pid;

	REQUIRE_HVX();
	CHECK(hvx_family, "no family");
	pid = fork();
	CHECK(pid >= 0, "fork: %s", strerror(errno));
	if (!pid) {
		sys_fd = hvx_open_dev();
		if (sys_fd < 0)
			_exit(1);
		for (i = 0; i < NR_CHURN; i++) {
			fd = ioctl(sys_fd, KVM_CREATE_VM, 0);
			if (fd < 0)
				_exit(2);
			vcpu_fd = ioctl(fd, KVM_CREATE_VCPU, 0);
			if (vcpu_fd < 0)
				_exit(3);
			/* The vCPU's reference goes last: teardown is here. */
			close(fd);
			close(vcpu_fd);
		}
		_exit(0);
	}
	for (i = 0; i < 4 * NR_CHURN && !r; i++)
		r = nl_dump(&l);
	CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
	CHECK(!r, "dump %d: %s", i, strerror(-r));
	CHECK(WIFEXITED(status) && !WEXITSTATUS(status),
	      "the child making VMs: status %#x", status);
	return KTAP_PASS;
}

static enum ktap_result gone_after_close(void)
{
	static struct nl_vms l;
	struct nl_vm nv;
	int r, i;

	REQUIRE_HVX();
	CHECK(vm_id, "no VM");
	vcpu_destroy(&vcpu);
	vm_destroy(&vm);
	have_vm = false;
	r = nl_get(vm_id, &nv);
	CHECK(r == -ENOENT, "a closed VM: %s, expected ENOENT",
	      strerror(-r));
	r = nl_dump(&l);
	CHECK(!r, "dump: %s", strerror(-r));
	for (i = 0; i < l.n; i++)
		CHECK(l.vm[i].id != vm_id, "the closed VM is still listed");
	return KTAP_PASS;
}

KTAP_CASES(
	{ "family_registered", family_registered },
	{ "vm_listed", vm_listed },
	{ "exit_counters_grow", exit_counters_grow },
	{ "nested_sets", nested_sets },
	{ "bad_requests", bad_requests },
	{ "needs_cap_sys_admin", needs_cap_sys_admin },
	{ "hvxstat_names_vm", hvxstat_names_vm },
	{ "dump_many", dump_many },
	{ "dump_while_vms_go", dump_while_vms_go },
	{ "gone_after_close", gone_after_close },
);
KTAP_MAIN()
