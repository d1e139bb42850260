// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvx's generic netlink family "hvx": which VMs exist, who made them, and
 * their counters, for tools/hvxstat.  The ABI (one command, its
 * attributes) is in uapi/linux/hvx.h and Documentation/api.rst.
 *
 * HVX_CMD_GET_VM as a dump lists every VM with its totals; as a request
 * for one VM id it adds the exit counters by reason.
 *
 * Permission: CAP_SYS_ADMIN in the initial user namespace, for the dump
 * and the request alike.  The counters tell how busy other users' guests
 * are and what they do (KVM keeps its debugfs statistics root-only for
 * the same reason), and /dev/hvx itself is root-only unless a rule opens
 * it.  The family is not network-namespace aware: VMs are not per netns.
 *
 * Lifetime: a message is filled inside hvx_vm_for_each() or
 * hvx_vm_with_id(), under the lock that a VM's teardown takes to leave the
 * list before it frees anything; so the VM read cannot go away, and no
 * reference is taken (dropping one here could make this reader the one to
 * tear a VM down).  A dump that needs more than one skb resumes after the
 * last VM id it sent: ids only grow, and the list is in id order.
 */
#include <linux/capability.h>
#include <linux/pid.h>
#include <net/genetlink.h>

#include "hvx.h"

static struct genl_family hvx_genl_family;

/* Where each HVX_A_STAT_* attribute comes from in struct hvx_vm_stats. */
static const struct {
	u16 attr;
	u16 offset;
} hvx_genl_stats[] = {
#define HVX_STAT(a, f) { HVX_A_STAT_##a, offsetof(struct hvx_vm_stats, f) }
	HVX_STAT(EXITS, exits),
	HVX_STAT(EXITS_TO_USER, exits_to_user),
	HVX_STAT(TDP_FAULTS, tdp_faults),
	HVX_STAT(MMIO_EXITS, mmio_exits),
	HVX_STAT(PINNED_PAGES, pinned_pages),
	HVX_STAT(MAPPED_4K, mapped_4k),
	HVX_STAT(MAPPED_2M, mapped_2m),
	HVX_STAT(TLB_FLUSHES, tlb_flushes),
	HVX_STAT(VM_BYTES, vm_bytes),
	HVX_STAT(VCPU_BYTES, vcpu_bytes),
	HVX_STAT(NESTED_L2_EXITS, nested_l2_exits),
	HVX_STAT(NESTED_L1_EXITS, nested_l1_exits),
	HVX_STAT(NESTED_REFLECTED, nested_reflected),
#undef HVX_STAT
};
static_assert(ARRAY_SIZE(hvx_genl_stats) == HVX_A_STAT_MAX - 1);

/* What one message for one VM needs, and where it goes. */
struct hvx_genl_fill {
	struct sk_buff *skb;
	u32 portid;
	u32 seq;
	int flags;
	bool exits;		/* add the exit counters by reason */
	u64 last_id;		/* the dump's progress: the last VM sent */
};

/* The largest message for one VM: with every exit counter nonzero. */
static size_t hvx_genl_vm_size(void)
{
	size_t exit = nla_total_size(0) + 2 * nla_total_size(sizeof(u32)) +
		      nla_total_size_64bit(sizeof(u64));

	return nla_total_size_64bit(sizeof(u64)) +	/* id */
	       2 * nla_total_size(sizeof(u32)) +	/* pid, vCPUs */
	       nla_total_size(GENL_NAMSIZ) +		/* backend */
	       nla_total_size(0) + ARRAY_SIZE(hvx_genl_stats) *
	       nla_total_size_64bit(sizeof(u64)) +
	       HVX_NR_EXIT_SETS * HVX_NR_EXIT_REASONS * exit;
}

static int hvx_genl_put_stats(struct sk_buff *skb, struct hvx_vm *vm)
{
	struct hvx_vm_stats st = { };
	struct nlattr *nest;
	unsigned int i;

	hvx_vm_read_stats(vm, &st);
	nest = nla_nest_start(skb, HVX_A_VM_STATS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < ARRAY_SIZE(hvx_genl_stats); i++) {
		u64 *val = (void *)&st + hvx_genl_stats[i].offset;

		if (nla_put_u64_64bit(skb, hvx_genl_stats[i].attr, *val,
				      HVX_A_STAT_PAD)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int hvx_genl_put_exits(struct sk_buff *skb, struct hvx_vm *vm)
{
	struct nlattr *nest;
	unsigned int set, slot;
	u64 n;

	for (set = 0; set < HVX_NR_EXIT_SETS; set++) {
		for (slot = 0; slot < HVX_NR_EXIT_REASONS; slot++) {
			n = hvx_vm_exit_count(vm, set, slot);
			if (!n)
				continue;
			nest = nla_nest_start(skb, HVX_A_VM_EXIT);
			if (!nest ||
			    nla_put_u32(skb, HVX_A_EXIT_SET, set) ||
			    nla_put_u32(skb, HVX_A_EXIT_REASON, slot) ||
			    nla_put_u64_64bit(skb, HVX_A_EXIT_COUNT, n,
					      HVX_A_EXIT_PAD))
				return -EMSGSIZE;
			nla_nest_end(skb, nest);
		}
	}
	return 0;
}

/* Called with the VM list locked (hvx_vm_for_each, hvx_vm_with_id). */
static int hvx_genl_fill_vm(struct hvx_vm *vm, void *arg)
{
	struct hvx_genl_fill *f = arg;
	void *hdr;

	hdr = genlmsg_put(f->skb, f->portid, f->seq, &hvx_genl_family,
			  f->flags, HVX_CMD_GET_VM);
	if (!hdr)
		return -EMSGSIZE;
	/* pid_vnr(): the creator as the reader's pid namespace sees it. */
	if (nla_put_u64_64bit(f->skb, HVX_A_VM_ID, vm->id, HVX_A_PAD) ||
	    nla_put_u32(f->skb, HVX_A_VM_PID, pid_vnr(vm->pid)) ||
	    nla_put_u32(f->skb, HVX_A_VM_NR_VCPUS,
			smp_load_acquire(&vm->nr_vcpus)) ||
	    nla_put_string(f->skb, HVX_A_VM_BACKEND, hvx_ops->name) ||
	    hvx_genl_put_stats(f->skb, vm) ||
	    (f->exits && hvx_genl_put_exits(f->skb, vm))) {
		genlmsg_cancel(f->skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(f->skb, hdr);
	f->last_id = vm->id;
	return 0;
}

/*
 * netlink_capable(): the opener of the socket and the sender both need the
 * capability, so a socket passed to an unprivileged process reads nothing.
 */
static int hvx_genl_check_perm(const struct sk_buff *skb,
			       struct netlink_ext_ack *extack)
{
	if (netlink_capable(skb, CAP_SYS_ADMIN))
		return 0;
	NL_SET_ERR_MSG(extack, "hvx: reading VM counters needs CAP_SYS_ADMIN");
	return -EPERM;
}

static int hvx_genl_get_vm_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct hvx_genl_fill f = {
		.portid = info->snd_portid,
		.seq = info->snd_seq,
		.exits = true,
	};
	int r;

	r = hvx_genl_check_perm(skb, info->extack);
	if (r)
		return r;
	/* The missing type goes back as NLMSGERR_ATTR_MISS_TYPE too. */
	if (GENL_REQ_ATTR_CHECK(info, HVX_A_VM_ID)) {
		NL_SET_ERR_MSG(info->extack, "hvx: the VM id is missing");
		return -EINVAL;
	}

	f.skb = genlmsg_new(hvx_genl_vm_size(), GFP_KERNEL);
	if (!f.skb)
		return -ENOMEM;
	r = hvx_vm_with_id(nla_get_u64(info->attrs[HVX_A_VM_ID]),
			   hvx_genl_fill_vm, &f);
	if (r) {
		if (r == -ENOENT)
			NL_SET_ERR_MSG_ATTR(info->extack,
					    info->attrs[HVX_A_VM_ID],
					    "hvx: no VM with this id");
		/* The size above covers every counter: never too small. */
		WARN_ON_ONCE(r == -EMSGSIZE);
		nlmsg_free(f.skb);
		return r;
	}
	return genlmsg_reply(f.skb, info);
}

static int hvx_genl_get_vm_start(struct netlink_callback *cb)
{
	return hvx_genl_check_perm(cb->skb, cb->extack);
}

/* A dump's state between rounds, in netlink_callback.ctx (zeroed first). */
struct hvx_genl_dump_ctx {
	u64 last_id;
};
static_assert(sizeof(struct hvx_genl_dump_ctx) <=
	      sizeof_field(struct netlink_callback, ctx));

static int hvx_genl_get_vm_dumpit(struct sk_buff *skb,
				  struct netlink_callback *cb)
{
	struct hvx_genl_dump_ctx *ctx = (void *)cb->ctx;
	struct hvx_genl_fill f = {
		.skb = skb,
		.portid = NETLINK_CB(cb->skb).portid,
		.seq = cb->nlh->nlmsg_seq,
		.flags = NLM_F_MULTI,
		.last_id = ctx->last_id,
	};
	int r;

	r = hvx_vm_for_each(f.last_id, hvx_genl_fill_vm, &f);
	ctx->last_id = f.last_id;
	/* A full skb ends this round; the next resumes after last_id. */
	if (r && r != -EMSGSIZE)
		return r;
	/* Not even one VM fits an empty skb: that would loop forever. */
	if (r == -EMSGSIZE && !skb->len)
		return -EMSGSIZE;
	return skb->len;
}

static const struct nla_policy hvx_genl_policy[HVX_A_MAX + 1] = {
	[HVX_A_VM_ID] = { .type = NLA_U64 },
};

static const struct genl_ops hvx_genl_ops[] = {
	{
		.cmd = HVX_CMD_GET_VM,
		.doit = hvx_genl_get_vm_doit,
		.start = hvx_genl_get_vm_start,
		.dumpit = hvx_genl_get_vm_dumpit,
	},
};

/*
 * resv_start_op 0: every command gets strict validation, so an attribute
 * the request does not take is an error rather than ignored.
 */
static struct genl_family hvx_genl_family __ro_after_init = {
	.name = HVX_GENL_NAME,
	.version = HVX_GENL_VERSION,
	.maxattr = HVX_A_MAX,
	.policy = hvx_genl_policy,
	.ops = hvx_genl_ops,
	.n_ops = ARRAY_SIZE(hvx_genl_ops),
	.module = THIS_MODULE,
};

/**
 * hvx_netlink_init() - register the "hvx" generic netlink family
 *
 * Return: 0, or -errno (-EEXIST when a family of that name exists).
 */
int __init hvx_netlink_init(void)
{
	return genl_register_family(&hvx_genl_family);
}

/**
 * hvx_netlink_exit() - unregister it; waits for requests and dumps in
 * progress to finish
 */
void hvx_netlink_exit(void)
{
	genl_unregister_family(&hvx_genl_family);
}
