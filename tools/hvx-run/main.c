// SPDX-License-Identifier: GPL-2.0-only
/*
 * hvx-run: boot a Linux bzImage on one vCPU of /dev/hvx (or /dev/kvm) and
 * exit with the guest's status.  Documentation/hvx-run.rst has the usage.
 *
 * Two threads share the machine, under one lock:
 *  - the vCPU thread (main) loops on KVM_RUN and serves port I/O, MMIO and
 *    HLT exits; before each entry it injects the PIC's interrupt with
 *    KVM_INTERRUPT when the guest can take it, or asks for an interrupt
 *    window exit;
 *  - the I/O thread waits on the PIT's timer, the console's input and
 *    signals, updates the devices and kicks the vCPU when an interrupt is
 *    waiting: a condition variable while it sits in HLT, otherwise SIGUSR1,
 *    whose handler sets run->immediate_exit so that a kick landing just
 *    before KVM_RUN is not lost (KVM_RUN then returns EINTR at once).
 */
#define _GNU_SOURCE
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <linux/hvx.h>
#include <linux/kvm.h>
#include <linux/kvm_para.h>

#include "hvx-run.h"

#define DEFAULT_MEM	MiB(256)
#define DEFAULT_CMDLINE	"console=ttyS0 reboot=k panic=-1"
#define COM1_BASE	0x3f8
#define COM1_IRQ	4
#define SIG_KICK	SIGUSR1
#define APIC_BASE_ENABLE	(1ull << 11)
#define ESCAPE_CHAR	0x01	/* Ctrl-A */
#define MARK_MAX	64
#define STOP_GRACE_NS	5000000000ull

bool verbose;

static struct {
	const char *kernel, *initrd, *cmdline, *device, *mark;
	uint64_t mem;
	unsigned int timeout;
	bool stats, no_pv;
} opt = {
	.cmdline = DEFAULT_CMDLINE,
	.device = HVX_DEVICE_PATH,
	.mem = DEFAULT_MEM,
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;		/* the vCPU waits here in HLT */
	int sys_fd, vm_fd, vcpu_fd;
	struct kvm_run *run;
	struct guest_mem mem;
	struct pic *pic;
	struct pit *pit;
	struct uart *uart;
	int timer_fd;			/* the PIT's next edge */
	int timeout_fd;			/* --timeout */
	int event_fd;			/* wakes the I/O thread */
	int signal_fd;
	pthread_t vcpu_thread;
	bool halted;			/* the vCPU waits in HLT */
	int status;			/* -1 while running */
	char why[160];
	uint64_t stop_ns;
	bool stdin_open, stdin_tty, escape;
	struct termios saved_tio;
	uint64_t start_ns, mark_ns;
	char mark_win[MARK_MAX];
	size_t mark_len;
	struct {
		uint64_t exits, io, mmio, hlt, intr, window, irqs;
	} st;
} vm = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.wake = PTHREAD_COND_INITIALIZER,
	.status = -1,
};

/* ---- messages and time -------------------------------------------------- */

static void vmsg(const char *fmt, va_list ap)
{
	char line[512];

	vsnprintf(line, sizeof(line), fmt, ap);
	fprintf(stderr, "hvx-run: %s\n", line);
}

void msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

void vlog(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	exit(STATUS_ERROR);
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

void machine_stop(int status, const char *why)
{
	if (vm.status >= 0)
		return;
	vm.status = status;
	vm.stop_ns = now_ns();
	snprintf(vm.why, sizeof(vm.why), "%s", why);
}

void *gpa_ptr(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	if (gpa + len >= gpa && gpa + len <= m->low_size)
		return m->host + gpa;
	if (gpa >= HIGH_MEM_BASE && gpa - HIGH_MEM_BASE + len <= m->high_size)
		return m->host + m->low_size + (gpa - HIGH_MEM_BASE);
	return NULL;
}

/* ---- console ----------------------------------------------------------- */

static char out_buf[4096];
static size_t out_len;

static void console_flush(void)
{
	size_t done = 0;
	ssize_t n;

	while (done < out_len) {
		n = write(STDOUT_FILENO, out_buf + done, out_len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;		/* stdout gone: the guest goes on */
		done += n;
	}
	out_len = 0;
}

/* Remember when the console first prints --mark. */
static void watch_mark(char c)
{
	size_t len = strlen(opt.mark);

	if (vm.mark_ns)
		return;
	if (vm.mark_len == len) {
		memmove(vm.mark_win, vm.mark_win + 1, len - 1);
		vm.mark_len--;
	}
	vm.mark_win[vm.mark_len++] = c;
	if (vm.mark_len == len && !memcmp(vm.mark_win, opt.mark, len))
		vm.mark_ns = now_ns();
}

static void console_tx(uint8_t c)
{
	out_buf[out_len++] = c;
	if (opt.mark)
		watch_mark(c);
	if (c == '\n' || out_len == sizeof(out_buf))
		console_flush();
}

static void console_rx_room(void)
{
	uint64_t one = 1;

	if (vm.stdin_open && write(vm.event_fd, &one, sizeof(one)) < 0)
		vlog("eventfd write: %s", strerror(errno));
}

static void restore_tty(void)
{
	if (vm.stdin_tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &vm.saved_tio);
}

/*
 * An interactive terminal goes raw, so every key reaches the guest (Ctrl-C
 * included); Ctrl-A x quits, Ctrl-A Ctrl-A sends a Ctrl-A.
 */
static void setup_stdin(void)
{
	struct termios tio;

	vm.stdin_open = true;
	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &vm.saved_tio))
		return;
	vm.stdin_tty = true;
	atexit(restore_tty);
	tio = vm.saved_tio;
	tio.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR |
			 ICRNL | IXON);
	tio.c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	tio.c_cc[VMIN] = 1;
	tio.c_cc[VTIME] = 0;
	tcsetattr(STDIN_FILENO, TCSANOW, &tio);
}

/* Bytes from stdin to the UART, minding the escape on a terminal. */
static void console_input(const uint8_t *buf, int n)
{
	uint8_t out[64];
	int i, len = 0;

	for (i = 0; i < n; i++) {
		uint8_t c = buf[i];

		if (vm.stdin_tty && vm.escape) {
			vm.escape = false;
			if (c == 'x' || c == 'X') {
				machine_stop(STATUS_SIGNAL + SIGINT,
					     "quit from the console (Ctrl-A x)");
				return;
			}
			if (c != ESCAPE_CHAR)
				continue;
		} else if (vm.stdin_tty && c == ESCAPE_CHAR) {
			vm.escape = true;
			continue;
		}
		out[len++] = c;
	}
	uart_receive(vm.uart, out, len);
}

/* ---- the I/O thread --------------------------------------------------- */

static void arm_timer(int fd, uint64_t deadline_ns)
{
	struct itimerspec its = {
		.it_value.tv_sec = deadline_ns / 1000000000,
		.it_value.tv_nsec = deadline_ns % 1000000000,
	};

	timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void pit_arm(uint64_t deadline_ns)
{
	arm_timer(vm.timer_fd, deadline_ns);
}

static void kick_vcpu(void)
{
	if (vm.halted)
		pthread_cond_signal(&vm.wake);
	else
		pthread_kill(vm.vcpu_thread, SIG_KICK);
}

static void drain(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		vlog("read: %s", strerror(errno));
}

static void *io_thread(void *arg)
{
	enum { TIMER, TIMEOUT, EVENT, SIGNAL, INPUT, NFDS };
	struct pollfd pfd[NFDS] = {
		[TIMER] = { .fd = vm.timer_fd, .events = POLLIN },
		[TIMEOUT] = { .fd = vm.timeout_fd, .events = POLLIN },
		[EVENT] = { .fd = vm.event_fd, .events = POLLIN },
		[SIGNAL] = { .fd = vm.signal_fd, .events = POLLIN },
		[INPUT] = { .fd = STDIN_FILENO, .events = POLLIN },
	};
	struct signalfd_siginfo si;
	uint8_t buf[64];
	char why[64];
	int room, n;

	(void)arg;
	for (;;) {
		pthread_mutex_lock(&vm.lock);
		room = vm.stdin_open ? uart_rx_room(vm.uart) : 0;
		if (vm.status >= 0 && now_ns() - vm.stop_ns > STOP_GRACE_NS) {
			/* e.g. a guest spinning with IF=0 under an emulator that
			 * then never exits for host interrupts */
			restore_tty();
			msg("%s; the vCPU does not leave KVM_RUN: exiting anyway",
			    vm.why);
			_exit(vm.status);
		}
		pthread_mutex_unlock(&vm.lock);

		pfd[INPUT].fd = room > 0 ? STDIN_FILENO : -1;
		if (poll(pfd, NFDS, vm.status >= 0 ? 1000 : -1) < 0 &&
		    errno != EINTR)
			die("poll: %s", strerror(errno));

		pthread_mutex_lock(&vm.lock);
		if (pfd[TIMER].revents) {
			drain(vm.timer_fd);
			pit_expire(vm.pit, now_ns());
		}
		if (pfd[TIMEOUT].revents) {
			drain(vm.timeout_fd);
			snprintf(why, sizeof(why), "--timeout %u s expired",
				 opt.timeout);
			machine_stop(STATUS_TIMEOUT, why);
		}
		if (pfd[EVENT].revents)
			drain(vm.event_fd);
		if (pfd[SIGNAL].revents &&
		    read(vm.signal_fd, &si, sizeof(si)) == sizeof(si)) {
			snprintf(why, sizeof(why), "stopped by %s",
				 strsignal(si.ssi_signo));
			machine_stop(STATUS_SIGNAL + si.ssi_signo, why);
		}
		/* the guest may have turned the FIFO off meanwhile */
		room = vm.stdin_open ? uart_rx_room(vm.uart) : 0;
		if (pfd[INPUT].fd >= 0 && pfd[INPUT].revents && room > 0) {
			n = read(STDIN_FILENO, buf, room);
			if (n > 0)
				console_input(buf, n);
			else if (n == 0 || (errno != EINTR && errno != EAGAIN))
				vm.stdin_open = false;	/* EOF: no more input */
		}
		if (vm.status >= 0 || pic_pending(vm.pic))
			kick_vcpu();
		pthread_mutex_unlock(&vm.lock);
	}
	return NULL;
}

/* ---- the vCPU --------------------------------------------------------- */

static void on_kick(int sig)
{
	(void)sig;
	vm.run->immediate_exit = 1;
}

static void setup_signals(void)
{
	struct sigaction sa = { .sa_handler = on_kick };
	sigset_t set;

	/* no SA_RESTART: the kick must end KVM_RUN with EINTR */
	sigaction(SIG_KICK, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* termination signals go to the I/O thread's signalfd */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	vm.signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (vm.signal_fd < 0)
		die("signalfd: %s", strerror(errno));
}

static void dump_regs(void)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	if (ioctl(vm.vcpu_fd, KVM_GET_REGS, &r) ||
	    ioctl(vm.vcpu_fd, KVM_GET_SREGS, &s)) {
		msg("cannot read the vCPU's registers: %s", strerror(errno));
		return;
	}
	msg("rip %016llx rsp %016llx rflags %08llx", r.rip, r.rsp, r.rflags);
	msg("rax %016llx rbx %016llx rcx %016llx rdx %016llx",
	    r.rax, r.rbx, r.rcx, r.rdx);
	msg("rsi %016llx rdi %016llx rbp %016llx", r.rsi, r.rdi, r.rbp);
	msg("cr0 %08llx cr2 %016llx cr3 %016llx cr4 %08llx efer %llx",
	    s.cr0, s.cr2, s.cr3, s.cr4, s.efer);
	msg("cs %04x (base %llx l %d db %d) ss %04x ds %04x tr %04x idt %llx/%x gdt %llx/%x",
	    s.cs.selector, s.cs.base, s.cs.l, s.cs.db, s.ss.selector,
	    s.ds.selector, s.tr.selector, s.idt.base, s.idt.limit,
	    s.gdt.base, s.gdt.limit);
}

/* Called with the lock held, before each KVM_RUN. */
static void inject_interrupts(void)
{
	struct kvm_run *run = vm.run;
	struct kvm_interrupt irq;

	if (!pic_pending(vm.pic)) {
		run->request_interrupt_window = 0;
		return;
	}
	if (!run->ready_for_interrupt_injection) {
		run->request_interrupt_window = 1;
		return;
	}
	irq.irq = pic_ack(vm.pic);
	if (ioctl(vm.vcpu_fd, KVM_INTERRUPT, &irq))
		die("KVM_INTERRUPT of vector 0x%x: %s", irq.irq,
		    strerror(errno));
	vm.st.irqs++;
	/* one more is waiting: come back as soon as this one is taken */
	run->request_interrupt_window = pic_pending(vm.pic);
}

static void handle_io(void)
{
	struct kvm_run *run = vm.run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	uint32_t i;

	for (i = 0; i < run->io.count; i++, data += run->io.size)
		bus_pio(run->io.port, run->io.size,
			run->io.direction == KVM_EXIT_IO_OUT, data);
}

/* HLT: sleep until the PIC has an interrupt for the guest, or stop. */
static void handle_hlt(void)
{
	if (!vm.run->if_flag) {
		machine_stop(STATUS_HALTED,
			     "the guest halted with interrupts disabled");
		return;
	}
	console_flush();
	vm.halted = true;
	while (vm.status < 0 && !pic_pending(vm.pic))
		pthread_cond_wait(&vm.wake, &vm.lock);
	vm.halted = false;
}

static void fatal_exit(const char *what)
{
	char why[160];

	snprintf(why, sizeof(why), "KVM_RUN: %s", what);
	machine_stop(STATUS_ERROR, why);
	msg("%s", why);
	dump_regs();
}

static void handle_exit(void)
{
	struct kvm_run *run = vm.run;
	char why[160];
	unsigned int i;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		vm.st.io++;
		handle_io();
		break;
	case KVM_EXIT_MMIO:
		vm.st.mmio++;
		bus_mmio(run->mmio.phys_addr, run->mmio.len,
			 run->mmio.is_write, run->mmio.data);
		break;
	case KVM_EXIT_HLT:
		vm.st.hlt++;
		handle_hlt();
		break;
	case KVM_EXIT_IRQ_WINDOW_OPEN:
		vm.st.window++;
		break;
	case KVM_EXIT_INTR:
		vm.st.intr++;
		break;
	case KVM_EXIT_SHUTDOWN:
		machine_stop(STATUS_RESET, "triple fault (KVM_EXIT_SHUTDOWN)");
		if (verbose)
			dump_regs();
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		if (run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN)
			machine_stop(STATUS_POWEROFF, "system event: shutdown");
		else if (run->system_event.type == KVM_SYSTEM_EVENT_RESET)
			machine_stop(STATUS_RESET, "system event: reset");
		else
			fatal_exit("unexpected system event");
		break;
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(why, sizeof(why),
			 "entry failed: hardware_entry_failure_reason 0x%llx on cpu %u",
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason,
			 run->fail_entry.cpu);
		fatal_exit(why);
		break;
	case KVM_EXIT_INTERNAL_ERROR: {
		int len = snprintf(why, sizeof(why), "internal error, suberror %u, data",
				   run->internal.suberror);

		for (i = 0; i < run->internal.ndata && i < 4 && len < (int)sizeof(why); i++)
			len += snprintf(why + len, sizeof(why) - len, " 0x%llx",
					(unsigned long long)run->internal.data[i]);
		fatal_exit(why);
		break;
	}
	default:
		snprintf(why, sizeof(why), "unexpected exit reason %u",
			 run->exit_reason);
		fatal_exit(why);
		break;
	}
}

static int run_vcpu(void)
{
	int r, err;

	vm.start_ns = now_ns();
	for (;;) {
		pthread_mutex_lock(&vm.lock);
		if (vm.status >= 0) {
			if (vm.status == STATUS_TIMEOUT) {
				char pic[64];

				/* where the guest was stuck */
				pic_describe(vm.pic, pic, sizeof(pic));
				msg("%s: last exit reason %u, interrupt flag %d, %llu exits, %llu interrupts; PIC %s",
				    vm.why, vm.run->exit_reason, vm.run->if_flag,
				    (unsigned long long)vm.st.exits,
				    (unsigned long long)vm.st.irqs, pic);
				dump_regs();
			}
			pthread_mutex_unlock(&vm.lock);
			return vm.status;
		}
		inject_interrupts();
		pthread_mutex_unlock(&vm.lock);

		r = ioctl(vm.vcpu_fd, KVM_RUN, 0);
		err = errno;
		vm.run->immediate_exit = 0;

		pthread_mutex_lock(&vm.lock);
		if (r < 0) {
			if (err == EINTR || err == EAGAIN) {
				vm.st.intr++;
			} else {
				char why[80];

				snprintf(why, sizeof(why), "failed: %s",
					 strerror(err));
				fatal_exit(why);
			}
		} else {
			vm.st.exits++;
			handle_exit();
		}
		pthread_mutex_unlock(&vm.lock);
	}
}

/* ---- setup ------------------------------------------------------------- */

static void open_device(void)
{
	static const struct { int cap; const char *name; } caps[] = {
		{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
		{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
		{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
	};
	unsigned int i;
	int r;

	vm.sys_fd = open(opt.device, O_RDWR | O_CLOEXEC);
	if (vm.sys_fd < 0)
		die("cannot open %s: %s%s", opt.device, strerror(errno),
		    errno == ENOENT ? " (is the hypervisor module loaded?)" : "");
	r = ioctl(vm.sys_fd, KVM_GET_API_VERSION, 0);
	if (r != KVM_API_VERSION)
		die("%s is not a KVM API device (KVM_GET_API_VERSION: %d%s%s)",
		    opt.device, r, r < 0 ? ", " : "", r < 0 ? strerror(errno) : "");
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		if (ioctl(vm.sys_fd, KVM_CHECK_EXTENSION, caps[i].cap) <= 0)
			die("%s lacks %s", opt.device, caps[i].name);
	vm.vm_fd = ioctl(vm.sys_fd, KVM_CREATE_VM, 0);
	if (vm.vm_fd < 0)
		die("%s refused to create a VM: %s%s", opt.device,
		    strerror(errno), errno == EBUSY ?
		    " (another hypervisor owns VT-x/AMD-V)" : "");
}

static void add_slot(int slot, uint64_t gpa, uint64_t size, void *host)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot, .guest_phys_addr = gpa, .memory_size = size,
		.userspace_addr = (uintptr_t)host,
	};

	if (ioctl(vm.vm_fd, KVM_SET_USER_MEMORY_REGION, &r))
		die("cannot give the guest %llu MiB at 0x%llx: %s",
		    (unsigned long long)(size >> 20), (unsigned long long)gpa,
		    strerror(errno));
}

static void setup_memory(void)
{
	struct guest_mem *m = &vm.mem;

	m->low_size = opt.mem < LOW_MEM_MAX ? opt.mem : LOW_MEM_MAX;
	m->high_size = opt.mem - m->low_size;
	m->host = mmap(NULL, opt.mem, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m->host == MAP_FAILED)
		die("not enough memory for a %llu MiB guest: %s",
		    (unsigned long long)(opt.mem >> 20), strerror(errno));
	add_slot(0, 0, m->low_size, m->host);
	if (m->high_size)
		add_slot(1, HIGH_MEM_BASE, m->high_size, m->host + m->low_size);
}

/* The host CPU's brand string leaves, which KVM leaves to the VMM. */
static void set_brand(struct kvm_cpuid2 *c, unsigned int max)
{
	unsigned int leaf, i, r[4];

	if (__get_cpuid_max(0x80000000, NULL) < 0x80000004)
		return;
	for (leaf = 0x80000002; leaf <= 0x80000004; leaf++) {
		struct kvm_cpuid_entry2 *e = NULL;

		for (i = 0; i < c->nent; i++)
			if (c->entries[i].function == leaf)
				e = &c->entries[i];
		if (!e) {
			if (c->nent == max)
				return;
			e = &c->entries[c->nent++];
			*e = (struct kvm_cpuid_entry2){ .function = leaf };
		}
		__cpuid(leaf, r[0], r[1], r[2], r[3]);
		e->eax = r[0];
		e->ebx = r[1];
		e->ecx = r[2];
		e->edx = r[3];
	}
	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == 0x80000000 &&
		    c->entries[i].eax < 0x80000004)
			c->entries[i].eax = 0x80000004;
}

/*
 * KVM's paravirtual features that ride on its in-kernel local APIC (they
 * deliver or take interrupts through it): KVM_GET_SUPPORTED_CPUID offers
 * them even to a VMM that has no in-kernel APIC, whose guest then gets a
 * #GP enabling them (MSR_KVM_ASYNC_PF_INT, for one).
 */
#define KVM_PV_NEEDS_APIC \
	(1u << KVM_FEATURE_ASYNC_PF | 1u << KVM_FEATURE_PV_EOI | \
	 1u << KVM_FEATURE_PV_UNHALT | 1u << KVM_FEATURE_ASYNC_PF_VMEXIT | \
	 1u << KVM_FEATURE_PV_SEND_IPI | 1u << KVM_FEATURE_PV_SCHED_YIELD | \
	 1u << KVM_FEATURE_ASYNC_PF_INT | 1u << KVM_FEATURE_MSI_EXT_DEST_ID)

static bool kvm_signature(const struct kvm_cpuid2 *c)
{
	unsigned int i;

	for (i = 0; i < c->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function == 0x40000000)
			return e->ebx == 0x4b4d564b && e->ecx == 0x564b4d56 &&
			       e->edx == 0x4d;		/* "KVMKVMKVM\0\0\0" */
	}
	return false;
}

/*
 * The guest sees the hypervisor's CPUID, with what a VMM adds (the
 * "running under a hypervisor" bit, the CPU's brand string) and without
 * what this machine lacks: a local APIC, and with it x2APIC and the TSC
 * deadline timer.  (KVM also derives the APIC bit from the APIC base
 * MSR's enable bit: load_guest() clears that one.)  --no-pv hides the
 * hypervisor's paravirtual features (leaf 0x40000001), so that a kernel
 * takes the same paths under every hypervisor; without it, KVM's
 * features that need an in-kernel APIC go.
 */
static void setup_cpuid(void)
{
	struct kvm_cpuid2 *c = NULL;
	unsigned int n = 64, i;

	for (;;) {
		/* room for the brand string leaves, should they be missing */
		c = calloc(1, sizeof(*c) + (n + 3) * sizeof(c->entries[0]));
		if (!c)
			die("out of memory");
		c->nent = n;
		if (!ioctl(vm.sys_fd, KVM_GET_SUPPORTED_CPUID, c))
			break;
		if (errno != E2BIG || n >= 4096)
			die("KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
		free(c);
		n *= 2;
	}
	for (i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		switch (e->function) {
		case 1:
			e->edx &= ~(1u << 9);		/* APIC */
			e->ecx &= ~(1u << 21 | 1u << 24); /* x2APIC, TSC deadline */
			e->ecx |= 1u << 31;		/* hypervisor present */
			e->ebx &= 0x00ffffff;		/* initial APIC id 0 */
			break;
		case 0x80000001:
			e->edx &= ~(1u << 9);		/* APIC (AMD's copy) */
			break;
		case 0x40000001:
			if (opt.no_pv)
				e->eax = e->ebx = e->ecx = e->edx = 0;
			else if (kvm_signature(c))
				e->eax &= ~KVM_PV_NEEDS_APIC;
			break;
		}
	}
	set_brand(c, n + 3);
	if (ioctl(vm.vcpu_fd, KVM_SET_CPUID2, c))
		die("KVM_SET_CPUID2: %s", strerror(errno));
	free(c);
}

static void setup_vcpu(void)
{
	int size;

	vm.vcpu_fd = ioctl(vm.vm_fd, KVM_CREATE_VCPU, 0);
	if (vm.vcpu_fd < 0)
		die("KVM_CREATE_VCPU: %s", strerror(errno));
	size = ioctl(vm.sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < (int)sizeof(struct kvm_run))
		die("KVM_GET_VCPU_MMAP_SIZE: %d", size);
	vm.run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      vm.vcpu_fd, 0);
	if (vm.run == MAP_FAILED)
		die("mmap of the vCPU's kvm_run: %s", strerror(errno));
	setup_cpuid();
}

/* Port 0x80: POST codes and the kernel's I/O delay; writes vanish. */
static void post_out(void *opaque, uint16_t off, int size, uint32_t val)
{
	(void)opaque;
	(void)off;
	(void)size;
	(void)val;
}

static uint64_t rsdp;

static void setup_devices(void)
{
	vm.pic = pic_create();
	vm.pit = pit_create(vm.pic, pit_arm);
	vm.uart = uart_create(COM1_BASE, COM1_IRQ, vm.pic, console_tx,
			      console_rx_room);
	if (!vm.pic || !vm.pit || !vm.uart)
		die("out of memory");
	cmos_create(&vm.mem);
	kbd_create(vm.pic);
	rsdp = acpi_create(&vm.mem);
	bus_register(&(struct pio_dev){ .name = "post", .base = 0x80, .len = 1,
		.out = post_out });
}

static void load_guest(const struct boot_image *image)
{
	struct kvm_regs regs;
	struct kvm_sregs sregs;

	if (ioctl(vm.vcpu_fd, KVM_GET_SREGS, &sregs))
		die("KVM_GET_SREGS: %s", strerror(errno));
	boot_load(image, &vm.mem, rsdp, &regs, &sregs);
	/* no local APIC: as firmware leaves a disabled one (BSP flag kept) */
	sregs.apic_base &= ~APIC_BASE_ENABLE;
	if (ioctl(vm.vcpu_fd, KVM_SET_SREGS, &sregs))
		die("KVM_SET_SREGS (64-bit entry state): %s", strerror(errno));
	if (ioctl(vm.vcpu_fd, KVM_SET_REGS, &regs))
		die("KVM_SET_REGS: %s", strerror(errno));
}

static void start_io_thread(void)
{
	pthread_t t;
	int err;

	vm.timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	vm.timeout_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	vm.event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm.timer_fd < 0 || vm.timeout_fd < 0 || vm.event_fd < 0)
		die("timerfd/eventfd: %s", strerror(errno));
	if (opt.timeout)
		arm_timer(vm.timeout_fd, now_ns() + opt.timeout * 1000000000ull);
	vm.vcpu_thread = pthread_self();
	err = pthread_create(&t, NULL, io_thread, NULL);
	if (err)
		die("pthread_create: %s", strerror(err));
	pthread_detach(t);
}

/* ---- command line ------------------------------------------------------ */

static void usage(FILE *f)
{
	fprintf(f,
"usage: hvx-run --kernel BZIMAGE [--initrd FILE] [--cmdline STR] [--mem SIZE]\n"
"               [--device PATH] [--mark STR] [--timeout SECONDS] [--no-pv]\n"
"               [--stats] [--verbose]\n"
"\n"
"Boots a Linux bzImage on one vCPU of a KVM API device and exits with the\n"
"guest's status: 0 power-off, 3 reset, 4 halted, 5 timeout, 1 error.\n"
"\n"
"  --kernel FILE    the bzImage (x86 boot protocol 2.12+, 64-bit entry)\n"
"  --initrd FILE    an initramfs\n"
"  --cmdline STR    the kernel command line (default \"%s\")\n"
"  --mem SIZE       guest RAM, K/M/G suffix, MiB without (default 256M)\n"
"  --device PATH    the KVM API device (default %s; /dev/kvm works too)\n"
"  --mark STR       report when the console first prints STR\n"
"  --timeout SEC    stop the guest after SEC seconds (exit status 5)\n"
"  --no-pv          hide the hypervisor's paravirtual CPUID features\n"
"  --stats          print exit counts when the guest stops\n"
"  --verbose        log the boot layout and each unclaimed port/MMIO access\n"
"\n"
"On a terminal, Ctrl-A x quits and Ctrl-A Ctrl-A sends Ctrl-A.\n",
		DEFAULT_CMDLINE, HVX_DEVICE_PATH);
}

static void __attribute__((noreturn))
bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "hvx-run: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (hvx-run --help)\n");
	exit(STATUS_USAGE);
}

static uint64_t parse_size(const char *s)
{
	char *end;
	unsigned long long v;
	int shift = 20;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		bad_usage("--mem %s: not a size", s);
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	}
	if (*end == 'i' && end[1] == 'B')
		end += 2;
	else if (*end == 'B')
		end++;
	if (*end || v == 0 || v > (1ull << (40 - shift)))
		bad_usage("--mem %s: not a size between 1M and 1T", s);
	v <<= shift;
	if (v < MiB(2))
		bad_usage("--mem %s: the machine needs at least 2 MiB", s);
	return (v + 4095) & ~4095ull;
}

static void parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		{ "cmdline", required_argument, NULL, 'c' },
		{ "mem", required_argument, NULL, 'm' },
		{ "device", required_argument, NULL, 'd' },
		{ "mark", required_argument, NULL, 'M' },
		{ "timeout", required_argument, NULL, 't' },
		{ "no-pv", no_argument, NULL, 'P' },
		{ "stats", no_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	opterr = 0;	/* bad_usage() says it in one line */
	while ((c = getopt_long(argc, argv, "k:i:c:m:d:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'k': opt.kernel = optarg; break;
		case 'i': opt.initrd = optarg; break;
		case 'c': opt.cmdline = optarg; break;
		case 'm': opt.mem = parse_size(optarg); break;
		case 'd': opt.device = optarg; break;
		case 'M':
			opt.mark = optarg;
			if (!*optarg || strlen(optarg) > MARK_MAX)
				bad_usage("--mark takes 1 to 64 characters%s", "");
			break;
		case 't':
			opt.timeout = strtoul(optarg, &end, 10);
			if (*end || !*optarg || !opt.timeout)
				bad_usage("--timeout %s: not a number of seconds", optarg);
			break;
		case 'P': opt.no_pv = true; break;
		case 's': opt.stats = true; break;
		case 'v': verbose = true; break;
		case 'h': usage(stdout); exit(0);
		default:
			bad_usage("bad option %s", argv[optind - 1]);
		}
	}
	if (optind < argc)
		bad_usage("unexpected argument %s", argv[optind]);
	if (!opt.kernel)
		bad_usage("--kernel BZIMAGE is required%s", "");
}

static void report(void)
{
	double secs = (vm.stop_ns - vm.start_ns) / 1e9;

	msg("%s after %.3f s (first instruction to stop), %llu exits",
	    vm.why, secs, (unsigned long long)vm.st.exits);
	if (opt.mark && vm.mark_ns)
		msg("console printed \"%s\" %.3f s after the first instruction",
		    opt.mark, (vm.mark_ns - vm.start_ns) / 1e9);
	else if (opt.mark)
		msg("console never printed \"%s\"", opt.mark);
	if (opt.stats)
		msg("exits: io %llu, mmio %llu, hlt %llu, irq-window %llu, interrupted %llu; interrupts injected %llu",
		    (unsigned long long)vm.st.io, (unsigned long long)vm.st.mmio,
		    (unsigned long long)vm.st.hlt, (unsigned long long)vm.st.window,
		    (unsigned long long)vm.st.intr, (unsigned long long)vm.st.irqs);
}

int main(int argc, char **argv)
{
	struct boot_image *image;
	int status;

	parse_args(argc, argv);
	/* the files first: their errors need no hypervisor */
	image = boot_open(opt.kernel, opt.initrd, opt.cmdline,
			  opt.mem < LOW_MEM_MAX ? opt.mem : LOW_MEM_MAX);
	if (!image)
		return STATUS_ERROR;
	setup_signals();
	open_device();
	setup_memory();
	setup_vcpu();
	setup_devices();
	load_guest(image);
	boot_close(image);
	setup_stdin();
	start_io_thread();

	status = run_vcpu();

	console_flush();
	restore_tty();
	report();
	return status;
}
