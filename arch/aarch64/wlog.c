/*
 * Witness log export through a virtio console (see wlog.h). One split virtqueue, the console's
 * transmit queue (queue 1 of port 0; no multiport feature, so port 0 is the only port). Each
 * write puts one buffer in the queue, notifies the device and polls the used ring until the
 * device hands the buffer back: QEMU consumes a notified buffer before the MMIO write returns,
 * so the loop ends at once there, and the bound turns a device that never answers into a
 * refused record instead of a hang. The transport's interrupt is never enabled.
 *
 * Both transport versions work: 1 (legacy, QEMU's default on virt: guest page size and a
 * queue page frame number) and 2 (-global virtio-mmio.force-legacy=false: three 64-bit queue
 * addresses and VIRTIO_F_VERSION_1).
 */
#include "wlog.h"

#include <ruvix/klib.h>

#include "sysreg.h"

/* Transport registers (virtio 1.1, 4.2.2 and 4.2.4). */
#define MMIO_MAGIC	       0x000
#define MMIO_VERSION	       0x004
#define MMIO_DEVICE_ID	       0x008
#define MMIO_DEVICE_FEATURES   0x010
#define MMIO_DEVICE_FEAT_SEL   0x014
#define MMIO_DRIVER_FEATURES   0x020
#define MMIO_DRIVER_FEAT_SEL   0x024
#define MMIO_GUEST_PAGE_SIZE   0x028 /* legacy */
#define MMIO_QUEUE_SEL	       0x030
#define MMIO_QUEUE_NUM_MAX     0x034
#define MMIO_QUEUE_NUM	       0x038
#define MMIO_QUEUE_ALIGN       0x03c /* legacy */
#define MMIO_QUEUE_PFN	       0x040 /* legacy */
#define MMIO_QUEUE_READY       0x044
#define MMIO_QUEUE_NOTIFY      0x050
#define MMIO_INTERRUPT_STATUS  0x060
#define MMIO_INTERRUPT_ACK     0x064
#define MMIO_STATUS	       0x070
#define MMIO_QUEUE_DESC_LOW    0x080
#define MMIO_QUEUE_DESC_HIGH   0x084
#define MMIO_QUEUE_DRIVER_LOW  0x090
#define MMIO_QUEUE_DRIVER_HIGH 0x094
#define MMIO_QUEUE_DEVICE_LOW  0x0a0
#define MMIO_QUEUE_DEVICE_HIGH 0x0a4

#define VIRTIO_MAGIC	  0x74726976u /* "virt" */
#define VIRTIO_ID_CONSOLE 3u

#define STATUS_ACKNOWLEDGE 1u
#define STATUS_DRIVER	   2u
#define STATUS_DRIVER_OK   4u
#define STATUS_FEATURES_OK 8u
#define STATUS_FAILED	   128u

#define FEATURE_VERSION_1_HIGH 1u /* VIRTIO_F_VERSION_1 is feature bit 32 */

#define TRANSMIT_QUEUE 1u
#define QUEUE_SIZE     8u
#define PAGE	       4096u
#define BUFFER_MAX     512u
#define POLL_MAX       10000000u

struct vring_desc {
	u64 addr;
	u32 len;
	u16 flags;
	u16 next;
};

struct vring_avail {
	u16 flags;
	u16 idx;
	u16 ring[QUEUE_SIZE];
	u16 used_event;
};

struct vring_used_elem {
	u32 id;
	u32 len;
};

struct vring_used {
	u16 flags;
	u16 idx;
	struct vring_used_elem ring[QUEUE_SIZE];
	u16 avail_event;
};

/* The legacy layout: descriptors and the available ring in the first page, the used ring at
 * the next QueueAlign (one page) boundary. Version 2 takes the same three addresses. */
static struct {
	struct vring_desc desc[QUEUE_SIZE];
	struct vring_avail avail;
	u8 pad[PAGE - sizeof(struct vring_desc) * QUEUE_SIZE - sizeof(struct vring_avail)];
	struct vring_used used;
} queue __attribute__((aligned(PAGE)));

_Static_assert(__builtin_offsetof(__typeof__(queue), used) == PAGE, "used ring on page 2");

static u8 buffer[BUFFER_MAX] __attribute__((aligned(64)));
static u64 base;
static u16 next_avail;

static u32 rd(u32 reg)
{
	return mmio_read32(base + reg);
}

static void wr(u32 reg, u32 v)
{
	mmio_write32(base + reg, v);
}

static const char *setup(u32 version)
{
	wr(MMIO_STATUS, 0); /* reset */
	wr(MMIO_STATUS, STATUS_ACKNOWLEDGE);
	wr(MMIO_STATUS, STATUS_ACKNOWLEDGE | STATUS_DRIVER);
	u32 status = STATUS_ACKNOWLEDGE | STATUS_DRIVER;
	if (version == 1) {
		wr(MMIO_DRIVER_FEAT_SEL, 0);
		wr(MMIO_DRIVER_FEATURES, 0); /* no multiport, no size or emergency write */
		wr(MMIO_GUEST_PAGE_SIZE, PAGE);
	} else {
		wr(MMIO_DEVICE_FEAT_SEL, 1);
		if (!(rd(MMIO_DEVICE_FEATURES) & FEATURE_VERSION_1_HIGH))
			return "a version 2 transport without VIRTIO_F_VERSION_1";
		wr(MMIO_DRIVER_FEAT_SEL, 1);
		wr(MMIO_DRIVER_FEATURES, FEATURE_VERSION_1_HIGH);
		wr(MMIO_DRIVER_FEAT_SEL, 0);
		wr(MMIO_DRIVER_FEATURES, 0);
		status |= STATUS_FEATURES_OK;
		wr(MMIO_STATUS, status);
		if (!(rd(MMIO_STATUS) & STATUS_FEATURES_OK))
			return "the device refused our features";
	}
	wr(MMIO_QUEUE_SEL, TRANSMIT_QUEUE);
	u32 max = rd(MMIO_QUEUE_NUM_MAX);
	if (max < QUEUE_SIZE)
		return "the transmit queue is missing or smaller than 8 entries";
	memset(&queue, 0, sizeof(queue));
	dsb_sy();
	wr(MMIO_QUEUE_NUM, QUEUE_SIZE);
	u64 desc = (u64)(uintptr_t)queue.desc, avail = (u64)(uintptr_t)&queue.avail;
	u64 used = (u64)(uintptr_t)&queue.used;
	if (version == 1) {
		wr(MMIO_QUEUE_ALIGN, PAGE);
		wr(MMIO_QUEUE_PFN, (u32)(desc / PAGE));
	} else {
		wr(MMIO_QUEUE_DESC_LOW, (u32)desc);
		wr(MMIO_QUEUE_DESC_HIGH, (u32)(desc >> 32));
		wr(MMIO_QUEUE_DRIVER_LOW, (u32)avail);
		wr(MMIO_QUEUE_DRIVER_HIGH, (u32)(avail >> 32));
		wr(MMIO_QUEUE_DEVICE_LOW, (u32)used);
		wr(MMIO_QUEUE_DEVICE_HIGH, (u32)(used >> 32));
		wr(MMIO_QUEUE_READY, 1);
	}
	wr(MMIO_STATUS, status | STATUS_DRIVER_OK);
	if (rd(MMIO_STATUS) & STATUS_FAILED)
		return "the device failed during set-up";
	next_avail = 0;
	return NULL;
}

const char *wlog_init(const struct platform *plat)
{
	for (u32 i = 0; i < plat->nvirtio; i++) {
		base = plat->virtio_base[i];
		if (base >= 0x40000000ull) /* the EL2 map has devices in the first GiB only */
			continue;
		u32 version = rd(MMIO_VERSION);
		if (rd(MMIO_MAGIC) != VIRTIO_MAGIC || rd(MMIO_DEVICE_ID) != VIRTIO_ID_CONSOLE)
			continue;
		if (version != 1 && version != 2) {
			base = 0;
			return "the virtio console's transport has an unknown version";
		}
		const char *err = setup(version);
		if (err)
			base = 0;
		return err;
	}
	base = 0;
	return "no virtio console: boot QEMU with -chardev file,id=wlog,path=FILE "
	       "-device virtio-serial-device -device virtconsole,chardev=wlog";
}

bool wlog_ready(void)
{
	return base != 0;
}

u64 wlog_base(void)
{
	return base;
}

bool wlog_write(const void *buf, usize len)
{
	if (!base || len == 0 || len > BUFFER_MAX)
		return false;
	memcpy(buffer, buf, len);
	u16 slot = next_avail % QUEUE_SIZE;
	queue.desc[slot] = (struct vring_desc){ (u64)(uintptr_t)buffer, (u32)len, 0, 0 };
	queue.avail.ring[slot] = slot;
	/* The descriptor and the ring entry are visible before the index that publishes them, and
	 * the index before the notification (virtio 1.1, 2.6.13). */
	__asm__ volatile("dmb ishst" ::: "memory");
	next_avail++;
	*(volatile u16 *)&queue.avail.idx = next_avail;
	__asm__ volatile("dsb sy" ::: "memory");
	wr(MMIO_QUEUE_NOTIFY, TRANSMIT_QUEUE);
	for (u32 n = 0; n < POLL_MAX; n++) {
		if (*(volatile u16 *)&queue.used.idx == next_avail) {
			__asm__ volatile("dmb ish" ::: "memory");
			wr(MMIO_INTERRUPT_ACK, rd(MMIO_INTERRUPT_STATUS));
			return true;
		}
	}
	return false;
}
