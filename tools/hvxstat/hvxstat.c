// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvxstat: the VMs of hvx.ko and their exit counters, read from hvx's
 * generic netlink family (uapi/linux/hvx.h) with libnl.  Usage in
 * Documentation/hvxstat.rst.
 *
 *   hvxstat [-i SECONDS [-c COUNT]]          every VM, one line each
 *   hvxstat [-i SECONDS [-c COUNT]] VMID     one VM: its counters, exits
 *                                            by reason (guest, L1, L2)
 *
 * With -i the first report counts from the VM's creation and each next
 * one the interval since the previous.  Exit status: 0, 1 on an error
 * (one line on stderr), 2 on bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/hvx.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Names of VMX basic exit reasons (Intel SDM Vol. 3, Appendix C). */
static const char *const vmx_reasons[HVX_NR_EXIT_REASONS] = {
	[0] = "EXCEPTION_NMI",		[1] = "EXTERNAL_INTERRUPT",
	[2] = "TRIPLE_FAULT",		[3] = "INIT",
	[4] = "SIPI",			[5] = "IO_SMI",
	[6] = "OTHER_SMI",		[7] = "INTERRUPT_WINDOW",
	[8] = "NMI_WINDOW",		[9] = "TASK_SWITCH",
	[10] = "CPUID",			[11] = "GETSEC",
	[12] = "HLT",			[13] = "INVD",
	[14] = "INVLPG",		[15] = "RDPMC",
	[16] = "RDTSC",			[17] = "RSM",
	[18] = "VMCALL",		[19] = "VMCLEAR",
	[20] = "VMLAUNCH",		[21] = "VMPTRLD",
	[22] = "VMPTRST",		[23] = "VMREAD",
	[24] = "VMRESUME",		[25] = "VMWRITE",
	[26] = "VMXOFF",		[27] = "VMXON",
	[28] = "CR_ACCESS",		[29] = "DR_ACCESS",
	[30] = "IO_INSTRUCTION",	[31] = "RDMSR",
	[32] = "WRMSR",			[33] = "ENTRY_FAIL_GUEST_STATE",
	[34] = "ENTRY_FAIL_MSR_LOAD",	[36] = "MWAIT",
	[37] = "MONITOR_TRAP_FLAG",	[39] = "MONITOR",
	[40] = "PAUSE",			[41] = "ENTRY_FAIL_MCE",
	[43] = "TPR_BELOW_THRESHOLD",	[44] = "APIC_ACCESS",
	[45] = "VIRTUALIZED_EOI",	[46] = "GDTR_IDTR",
	[47] = "LDTR_TR",		[48] = "EPT_VIOLATION",
	[49] = "EPT_MISCONFIG",		[50] = "INVEPT",
	[51] = "RDTSCP",		[52] = "PREEMPTION_TIMER",
	[53] = "INVVPID",		[54] = "WBINVD",
	[55] = "XSETBV",		[56] = "APIC_WRITE",
	[57] = "RDRAND",		[58] = "INVPCID",
	[59] = "VMFUNC",		[60] = "ENCLS",
	[61] = "RDSEED",		[62] = "PML_FULL",
	[63] = "XSAVES",		[64] = "XRSTORS",
	[65] = "PCONFIG",		[66] = "SPP",
	[67] = "UMWAIT",		[68] = "TPAUSE",
	[69] = "LOADIWKEY",		[70] = "ENCLV",
	[72] = "ENQCMD_PASID_FAIL",	[73] = "ENQCMDS_PASID_FAIL",
	[74] = "BUS_LOCK",		[75] = "INSTRUCTION_TIMEOUT",
	[76] = "SEAMCALL",		[77] = "TDCALL",
	[84] = "RDMSR_IMM",		[85] = "WRMSRNS_IMM",
};

/* Names of SVM exit codes 0x60 on (AMD APM Vol. 2, Appendix C). */
static const char *const svm_codes[] = {
	"INTR", "NMI", "SMI", "INIT", "VINTR", "CR0_SEL_WRITE",
	"IDTR_READ", "GDTR_READ", "LDTR_READ", "TR_READ", "IDTR_WRITE",
	"GDTR_WRITE", "LDTR_WRITE", "TR_WRITE", "RDTSC", "RDPMC",
	"PUSHF", "POPF", "CPUID", "RSM", "IRET", "SWINT", "INVD", "PAUSE",
	"HLT", "INVLPG", "INVLPGA", "IOIO", "MSR", "TASK_SWITCH",
	"FERR_FREEZE", "SHUTDOWN", "VMRUN", "VMMCALL", "VMLOAD", "VMSAVE",
	"STGI", "CLGI", "SKINIT", "RDTSCP", "ICEBP", "WBINVD", "MONITOR",
	"MWAIT", "MWAIT_CONDITIONAL", "XSETBV", "RDPRU", "EFER_WRITE_TRAP",
	"CR0_WRITE_TRAP", "CR1_WRITE_TRAP", "CR2_WRITE_TRAP",
	"CR3_WRITE_TRAP", "CR4_WRITE_TRAP", "CR5_WRITE_TRAP",
	"CR6_WRITE_TRAP", "CR7_WRITE_TRAP", "CR8_WRITE_TRAP",
	"CR9_WRITE_TRAP", "CR10_WRITE_TRAP", "CR11_WRITE_TRAP",
	"CR12_WRITE_TRAP", "CR13_WRITE_TRAP", "CR14_WRITE_TRAP",
	"CR15_WRITE_TRAP", "INVLPGB", "INVLPGB_ILLEGAL", "INVPCID",
	"MCOMMIT", "TLBSYNC", "BUSLOCK", "IDLE_HLT",
};

/* The SVM slots below HVX_SVM_SLOT_BASE: codes folded together. */
static const char *const svm_folded[HVX_SVM_SLOT_BASE][2] = {
	[HVX_SVM_SLOT_CR_READ] = { "0x000-0x00f", "CR_READ" },
	[HVX_SVM_SLOT_CR_WRITE] = { "0x010-0x01f", "CR_WRITE" },
	[HVX_SVM_SLOT_DR_READ] = { "0x020-0x02f", "DR_READ" },
	[HVX_SVM_SLOT_DR_WRITE] = { "0x030-0x03f", "DR_WRITE" },
	[HVX_SVM_SLOT_EXCEPTION] = { "0x040-0x05f", "EXCEPTION" },
	[HVX_SVM_SLOT_NPF] = { "0x400", "NPF" },
	[HVX_SVM_SLOT_OTHER] = { "other", "OTHER" },
	[HVX_SVM_SLOT_INVALID] = { "-1", "INVALID" },
};

/* One VM as the kernel reported it. */
struct vm {
	uint64_t id;
	uint32_t pid, nr_vcpus;
	char backend[16];
	uint64_t stat[HVX_A_STAT_MAX + 1];	/* by HVX_A_STAT_* */
	uint64_t exits[HVX_NR_EXIT_SETS][HVX_NR_EXIT_REASONS];
};

struct vm_list {
	struct vm *vm;
	size_t n, cap;
};

/* What went wrong in the last request: the kernel's errno and message. */
static int nl_errno;
static char nl_errmsg[256];

static struct nl_sock *sock;
static int family;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2),
						       noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("hvxstat: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* Keep the kernel's errno and its extended-ack message, if any. */
static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct nlmsghdr *nlh = (void *)((char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	int off = sizeof(*e);

	nl_errno = -e->error;
	nl_errmsg[0] = '\0';
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return NL_STOP;
	/* The TLVs follow the request, unless NETLINK_CAP_ACK left it out. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	if (NLMSG_HDRLEN + off >= (int)nlh->nlmsg_len)
		return NL_STOP;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)e + off),
		      nlh->nlmsg_len - NLMSG_HDRLEN - off, NULL) == 0 &&
	    tb[NLMSGERR_ATTR_MSG])
		snprintf(nl_errmsg, sizeof(nl_errmsg), "%s",
			 (char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
	return NL_STOP;
}

static struct nla_policy vm_policy[HVX_A_MAX + 1] = {
	[HVX_A_VM_ID] = { .type = NLA_U64 },
	[HVX_A_VM_PID] = { .type = NLA_U32 },
	[HVX_A_VM_NR_VCPUS] = { .type = NLA_U32 },
	[HVX_A_VM_BACKEND] = { .type = NLA_NUL_STRING },
	[HVX_A_VM_STATS] = { .type = NLA_NESTED },
	[HVX_A_VM_EXIT] = { .type = NLA_NESTED },
};

static struct nla_policy exit_policy[HVX_A_EXIT_MAX + 1] = {
	[HVX_A_EXIT_SET] = { .type = NLA_U32 },
	[HVX_A_EXIT_REASON] = { .type = NLA_U32 },
	[HVX_A_EXIT_COUNT] = { .type = NLA_U64 },
};

static void parse_exit(struct vm *vm, struct nlattr *a)
{
	struct nlattr *tb[HVX_A_EXIT_MAX + 1];
	uint32_t set, reason;

	if (nla_parse_nested(tb, HVX_A_EXIT_MAX, a, exit_policy) ||
	    !tb[HVX_A_EXIT_SET] || !tb[HVX_A_EXIT_REASON] ||
	    !tb[HVX_A_EXIT_COUNT])
		return;
	set = nla_get_u32(tb[HVX_A_EXIT_SET]);
	reason = nla_get_u32(tb[HVX_A_EXIT_REASON]);
	if (set < HVX_NR_EXIT_SETS && reason < HVX_NR_EXIT_REASONS)
		vm->exits[set][reason] = nla_get_u64(tb[HVX_A_EXIT_COUNT]);
}

/* NL_CB_VALID: one message per VM; add it to the vm_list in @arg. */
static int on_vm(struct nl_msg *msg, void *arg)
{
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *tb[HVX_A_MAX + 1], *a;
	struct vm_list *l = arg;
	struct vm *vm;
	int rem;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, HVX_A_MAX, vm_policy) ||
	    !tb[HVX_A_VM_ID])
		return NL_SKIP;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		l->vm = realloc(l->vm, l->cap * sizeof(*l->vm));
		if (!l->vm)
			die("out of memory");
	}
	vm = &l->vm[l->n++];
	memset(vm, 0, sizeof(*vm));
	vm->id = nla_get_u64(tb[HVX_A_VM_ID]);
	if (tb[HVX_A_VM_PID])
		vm->pid = nla_get_u32(tb[HVX_A_VM_PID]);
	if (tb[HVX_A_VM_NR_VCPUS])
		vm->nr_vcpus = nla_get_u32(tb[HVX_A_VM_NR_VCPUS]);
	if (tb[HVX_A_VM_BACKEND])
		nla_strlcpy(vm->backend, tb[HVX_A_VM_BACKEND],
			    sizeof(vm->backend));
	if (tb[HVX_A_VM_STATS]) {
		nla_for_each_nested(a, tb[HVX_A_VM_STATS], rem)
			if (nla_type(a) <= HVX_A_STAT_MAX &&
			    nla_len(a) == sizeof(uint64_t))
				vm->stat[nla_type(a)] = nla_get_u64(a);
	}
	nla_for_each_attr(a, genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0),
			  rem)
		if (nla_type(a) == HVX_A_VM_EXIT)
			parse_exit(vm, a);
	return NL_OK;
}

static void connect_family(void)
{
	int one = 1, r;

	sock = nl_socket_alloc();
	if (!sock)
		die("out of memory");
	r = genl_connect(sock);
	if (r)
		die("cannot open a generic netlink socket: %s", nl_geterror(r));
	/* The kernel's reason for a refusal comes back with the error. */
	setsockopt(nl_socket_get_fd(sock), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(sock), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
	/* A reply or an error always comes; no ACK is needed besides. */
	nl_socket_disable_auto_ack(sock);
	family = genl_ctrl_resolve(sock, HVX_GENL_NAME);
	if (family == -NLE_OBJ_NOTFOUND)
		die("hvx.ko not loaded (no generic netlink family \"%s\")",
		    HVX_GENL_NAME);
	if (family < 0)
		die("cannot look up the \"%s\" family: %s", HVX_GENL_NAME,
		    nl_geterror(family));
}

/*
 * HVX_CMD_GET_VM: every VM (@id 0, a dump) or the one with @id.  Returns
 * 0, or the kernel's errno with nl_errmsg saying why.
 */
static int get_vms(uint64_t id, struct vm_list *l)
{
	struct nl_msg *msg = nlmsg_alloc();
	int r;

	if (!msg)
		die("out of memory");
	l->n = 0;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
			 id ? 0 : NLM_F_DUMP, HVX_CMD_GET_VM,
			 HVX_GENL_VERSION) ||
	    (id && nla_put_u64(msg, HVX_A_VM_ID, id)))
		die("cannot build the request");
	nl_socket_modify_cb(sock, NL_CB_VALID, NL_CB_CUSTOM, on_vm, l);
	nl_socket_modify_err_cb(sock, NL_CB_CUSTOM, on_error, NULL);
	nl_errno = 0;
	r = nl_send_auto(sock, msg);
	nlmsg_free(msg);
	if (r < 0)
		die("cannot send to the \"%s\" family: %s", HVX_GENL_NAME,
		    nl_geterror(r));
	r = nl_recvmsgs_default(sock);
	if (r < 0 && !nl_errno)
		die("reading the reply: %s", nl_geterror(r));
	return nl_errno;
}

/* Die with the kernel's reason for refusing. */
static void die_refused(int err, uint64_t id)
{
	switch (err) {
	case EPERM:
		die("permission denied: reading VM counters needs CAP_SYS_ADMIN");
	case ENOENT:
		die("no VM with id %" PRIu64, id);
	default:
		die("the kernel refused: %s%s%s", strerror(err),
		    nl_errmsg[0] ? ": " : "", nl_errmsg);
	}
}

static const struct vm *find(const struct vm_list *l, uint64_t id)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->vm[i].id == id)
			return &l->vm[i];
	return NULL;
}

/* @now minus @then, counter by counter (gauges are left as they are). */
static void vm_delta(struct vm *now, const struct vm *then)
{
	static const int gauges[] = {
		HVX_A_STAT_PINNED_PAGES, HVX_A_STAT_VM_BYTES,
		HVX_A_STAT_VCPU_BYTES,
	};
	uint64_t keep[ARRAY_SIZE(gauges)];
	unsigned int i, s;

	for (i = 0; i < ARRAY_SIZE(gauges); i++)
		keep[i] = now->stat[gauges[i]];
	for (i = 0; i <= HVX_A_STAT_MAX; i++)
		now->stat[i] -= then->stat[i];
	for (i = 0; i < ARRAY_SIZE(gauges); i++)
		now->stat[gauges[i]] = keep[i];
	for (s = 0; s < HVX_NR_EXIT_SETS; s++)
		for (i = 0; i < HVX_NR_EXIT_REASONS; i++)
			now->exits[s][i] -= then->exits[s][i];
}

static void print_list(const struct vm_list *l)
{
	size_t i;

	printf("%6s %8s %5s %-7s %12s %12s %12s %12s %10s\n", "VM", "PID",
	       "VCPUS", "BACKEND", "EXITS", "TO_USER", "L1_EXITS", "L2_EXITS",
	       "REFLECTED");
	for (i = 0; i < l->n; i++) {
		const struct vm *vm = &l->vm[i];

		printf("%6" PRIu64 " %8u %5u %-7s %12" PRIu64 " %12" PRIu64
		       " %12" PRIu64 " %12" PRIu64 " %10" PRIu64 "\n",
		       vm->id, vm->pid, vm->nr_vcpus, vm->backend,
		       vm->stat[HVX_A_STAT_EXITS],
		       vm->stat[HVX_A_STAT_EXITS_TO_USER],
		       vm->stat[HVX_A_STAT_NESTED_L1_EXITS],
		       vm->stat[HVX_A_STAT_NESTED_L2_EXITS],
		       vm->stat[HVX_A_STAT_NESTED_REFLECTED]);
	}
}

/* "10 CPUID" (VMX) or "0x072 CPUID" (SVM) for a slot. */
static void reason_name(const struct vm *vm, unsigned int slot, char *buf,
			size_t len)
{
	unsigned int code;

	if (!strcmp(vm->backend, "svm")) {
		if (slot < HVX_SVM_SLOT_BASE) {
			snprintf(buf, len, "%s %s", svm_folded[slot][0],
				 svm_folded[slot][1]);
			return;
		}
		code = slot - HVX_SVM_SLOT_BASE + HVX_SVM_CODE_BASE;
		if (code - HVX_SVM_CODE_BASE < ARRAY_SIZE(svm_codes))
			snprintf(buf, len, "0x%03x %s", code,
				 svm_codes[code - HVX_SVM_CODE_BASE]);
		else
			snprintf(buf, len, "0x%03x", code);
		return;
	}
	if (vmx_reasons[slot])
		snprintf(buf, len, "%u %s", slot, vmx_reasons[slot]);
	else
		snprintf(buf, len, "%u", slot);
}

/*
 * The @i-th SVM slot in exit-code order: CR/DR/exceptions, the
 * intercepts from 0x60 on, NPF, then the other and invalid ones.
 */
static unsigned int svm_order(unsigned int i)
{
	static const unsigned int tail[] = {
		HVX_SVM_SLOT_NPF, HVX_SVM_SLOT_OTHER, HVX_SVM_SLOT_INVALID,
	};
	unsigned int first = HVX_SVM_SLOT_EXCEPTION + 1;
	unsigned int middle = HVX_NR_EXIT_REASONS - HVX_SVM_SLOT_BASE;

	if (i < first)
		return i;
	if (i < first + middle)
		return HVX_SVM_SLOT_BASE + i - first;
	return tail[i - first - middle];
}

static void print_vm(const struct vm *vm, const char *span)
{
	const uint64_t *st = vm->stat;
	uint64_t nested = st[HVX_A_STAT_NESTED_L1_EXITS] +
			  st[HVX_A_STAT_NESTED_L2_EXITS];
	bool svm = !strcmp(vm->backend, "svm");
	unsigned int i, slot, set;
	char name[40];

	printf("VM %" PRIu64 ": pid %u, %u vCPU%s, %s backend; %s\n", vm->id,
	       vm->pid, vm->nr_vcpus, vm->nr_vcpus == 1 ? "" : "s",
	       vm->backend, span);
	printf("  exits %" PRIu64 ", to userspace %" PRIu64 ", MMIO %" PRIu64
	       "\n", st[HVX_A_STAT_EXITS], st[HVX_A_STAT_EXITS_TO_USER],
	       st[HVX_A_STAT_MMIO_EXITS]);
	printf("  EPT/NPT faults %" PRIu64 ", 4K maps %" PRIu64 ", 2M maps %"
	       PRIu64 ", TLB flushes %" PRIu64 "\n", st[HVX_A_STAT_TDP_FAULTS],
	       st[HVX_A_STAT_MAPPED_4K], st[HVX_A_STAT_MAPPED_2M],
	       st[HVX_A_STAT_TLB_FLUSHES]);
	printf("  pinned pages %" PRIu64 "; kernel memory: VM %" PRIu64
	       " bytes, each vCPU %" PRIu64 " bytes\n",
	       st[HVX_A_STAT_PINNED_PAGES], st[HVX_A_STAT_VM_BYTES],
	       st[HVX_A_STAT_VCPU_BYTES]);

	printf("  %-32s %12s %12s %12s\n", "exit reason", "guest", "L1", "L2");
	for (i = 0; i < HVX_NR_EXIT_REASONS; i++) {
		bool any = false;

		slot = svm ? svm_order(i) : i;
		for (set = 0; set < HVX_NR_EXIT_SETS; set++)
			any |= vm->exits[set][slot] != 0;
		if (!any)
			continue;
		reason_name(vm, slot, name, sizeof(name));
		printf("  %-32s %12" PRIu64 " %12" PRIu64 " %12" PRIu64 "\n",
		       name, vm->exits[HVX_EXIT_SET_GUEST][slot],
		       vm->exits[HVX_EXIT_SET_L1][slot],
		       vm->exits[HVX_EXIT_SET_L2][slot]);
	}

	printf("  nested: L1 exits %" PRIu64 ", L2 exits %" PRIu64
	       ", reflected to L1 %" PRIu64 ", exits per reflected exit ",
	       st[HVX_A_STAT_NESTED_L1_EXITS], st[HVX_A_STAT_NESTED_L2_EXITS],
	       st[HVX_A_STAT_NESTED_REFLECTED]);
	if (st[HVX_A_STAT_NESTED_REFLECTED])
		printf("%.2f\n", (double)nested /
		       st[HVX_A_STAT_NESTED_REFLECTED]);
	else
		printf("-\n");
}

static void usage(void)
{
	fprintf(stderr,
		"usage: hvxstat [-i SECONDS [-c COUNT]] [VMID]\n"
		"  without VMID: every VM of hvx.ko, one line each\n"
		"  VMID:         that VM's counters and exits by reason\n"
		"  -i SECONDS:   report again every SECONDS, the change since "
		"the last report\n"
		"  -c COUNT:     stop after COUNT reports (default: one, or "
		"endless with -i)\n");
	exit(2);
}

static unsigned long parse_num(const char *s, unsigned long max)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || v > max)
		usage();
	return v;
}

/* @to = a copy of @from. */
static void copy_list(struct vm_list *to, const struct vm_list *from)
{
	if (to->cap < from->n) {
		to->cap = from->n;
		to->vm = realloc(to->vm, to->cap * sizeof(*to->vm));
		if (!to->vm)
			die("out of memory");
	}
	if (from->n)
		memcpy(to->vm, from->vm, from->n * sizeof(*to->vm));
	to->n = from->n;
}

int main(int argc, char **argv)
{
	struct vm_list cur = { 0 }, prev = { 0 }, shown = { 0 }, tmp;
	unsigned long interval = 0, count = 0, n;
	const struct vm *then;
	uint64_t id = 0;
	char span[64];
	size_t i;
	int opt, r;

	while ((opt = getopt(argc, argv, "i:c:h")) != -1) {
		switch (opt) {
		case 'i':
			interval = parse_num(optarg, 86400);
			if (!interval)
				usage();
			break;
		case 'c':
			count = parse_num(optarg, ULONG_MAX);
			if (!count)
				usage();
			break;
		default:
			usage();
		}
	}
	if (optind + 1 < argc || (count && !interval))
		usage();
	if (optind < argc) {
		id = parse_num(argv[optind], ULONG_MAX);
		if (!id)
			usage();
	}
	if (!count)
		count = interval ? ULONG_MAX : 1;

	/* Reports reach a pipe as they are made, not at exit. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	connect_family();
	for (n = 0; n < count; n++) {
		if (n)
			sleep(interval);
		r = get_vms(id, &cur);
		if (r == ENOENT && id && n) {
			printf("VM %" PRIu64 " is gone\n", id);
			break;
		}
		if (r)
			die_refused(r, id);

		/* Deltas for the VMs seen last time; new ones from 0. */
		copy_list(&shown, &cur);
		for (i = 0; n && i < shown.n; i++) {
			then = find(&prev, shown.vm[i].id);
			if (then)
				vm_delta(&shown.vm[i], then);
		}
		if (n)
			snprintf(span, sizeof(span), "the last %lu s",
				 interval);
		else
			snprintf(span, sizeof(span), "since creation");

		if (id) {
			if (n)
				putchar('\n');
			print_vm(&shown.vm[0], span);
		} else {
			if (interval)
				printf("%s%s:\n", n ? "\n" : "", span);
			print_list(&shown);
		}
		tmp = prev;
		prev = cur;
		cur = tmp;
	}
	nl_socket_free(sock);
	return 0;
}
