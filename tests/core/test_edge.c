/* CommEdges: capability-guarded, zero-copy descriptors, bounded queues, traffic counters. */
#include <criterion/criterion.h>

#include <ruvix/cap.h>
#include <ruvix/edge.h>
#include <ruvix/partition.h>
#include <ruvix/region.h>
#include <ruvix/witness.h>

#include "test_hal.h"

static handle_t A, B, C, E;
static u32 a, b, c;

static void world(void)
{
	test_boot(2);
	A = test_partition("a", 0);
	B = test_partition("b", 1);
	C = test_partition("c", 1);
	a = handle_index(A);
	b = handle_index(B);
	c = handle_index(C);
	cr_assert_eq(edge_create(A, B, 0x40000, 0x2000, &E), KERR_OK);
	cr_assert_eq(cap_install(a, 0, OBJ_EDGE, E, RIGHT_READ | RIGHT_WRITE), KERR_OK);
	cr_assert_eq(cap_install(b, 0, OBJ_EDGE, E, RIGHT_READ), KERR_OK);
}

Test(edge, send_and_receive_pass_descriptors_not_bytes)
{
	u32 off = 0, len = 0;
	u64 msgs, bytes;

	world();
	cr_assert_eq(edge_send(a, 0, 0x100, 64), KERR_OK);
	cr_assert_eq(edge_send(a, 0, 0x1000, 4096), KERR_OK);
	cr_assert_eq(edge_queued(E, 0), 2);
	cr_assert_eq(edge_recv(b, 0, &off, &len), KERR_OK);
	cr_assert_eq(off, 0x100);
	cr_assert_eq(len, 64);
	struct witness_record r = test_hal_last();
	cr_assert_eq(r.kind, WK_EDGE_RECV);
	cr_assert_eq(r.arg1, 0x100 | 64ull << 32);
	cr_assert_eq(edge_recv(b, 0, &off, &len), KERR_OK);
	cr_assert_eq(off, 0x1000);
	cr_assert_eq(edge_recv(b, 0, &off, &len), KERR_EMPTY);
	edge_traffic(E, 0, &msgs, &bytes);
	cr_assert_eq(msgs, 2);
	cr_assert_eq(bytes, 64 + 4096);
	edge_traffic(E, 1, &msgs, &bytes);
	cr_assert_eq(msgs, 0);
}

Test(edge, payload_must_lie_in_the_shared_pages)
{
	world();
	cr_assert_eq(edge_send(a, 0, 0x2000, 1), KERR_INVALID);
	cr_assert_eq(edge_send(a, 0, 0x1fff, 2), KERR_INVALID);
	cr_assert_eq(edge_send(a, 0, 0, 0), KERR_INVALID);
	cr_assert_eq(edge_send(a, 0, 0xffffffffu, 0xffffffffu), KERR_INVALID);
	cr_assert_eq(edge_send(a, 0, 0x1fff, 1), KERR_OK);
}

Test(edge, queue_is_bounded)
{
	world();
	for (int i = 0; i < RUVIX_EDGE_QUEUE; i++)
		cr_assert_eq(edge_send(a, 0, 0, 8), KERR_OK);
	cr_assert_eq(edge_send(a, 0, 0, 8), KERR_FULL);
	u64 msgs, bytes;
	edge_traffic(E, 0, &msgs, &bytes);
	cr_assert_eq(msgs, RUVIX_EDGE_QUEUE, "a refused send is not counted");
}

Test(edge, sending_needs_write_and_receiving_needs_read)
{
	u32 off, len;

	world();
	cr_assert_eq(edge_send(b, 0, 0, 8), KERR_DENIED, "b holds read only");
	cr_assert_eq(edge_send(a, 0, 0, 8), KERR_OK);
	cr_assert_eq(cap_derive(a, 0, 1, RIGHT_WRITE), KERR_OK);
	cr_assert_eq(edge_recv(a, 1, &off, &len), KERR_DENIED);
}

Test(edge, a_third_partition_cannot_use_an_edge_even_with_a_capability)
{
	world();
	cr_assert_eq(cap_install(c, 0, OBJ_EDGE, E, RIGHT_READ | RIGHT_WRITE), KERR_OK);
	cr_assert_eq(edge_send(c, 0, 0, 8), KERR_DENIED);
	cr_assert_eq(edge_send(c, 1, 0, 8), KERR_DENIED, "nor without one");
	struct witness_record r = test_hal_last();
	cr_assert_eq(r.kind, WK_REFUSED);
	cr_assert_eq(r.actor, c);
}

Test(edge, each_end_receives_what_the_other_sent)
{
	u32 off, len;

	world();
	cr_assert_eq(cap_install(b, 1, OBJ_EDGE, E, RIGHT_WRITE), KERR_OK);
	cr_assert_eq(edge_send(b, 1, 0x10, 16), KERR_OK);
	cr_assert_eq(edge_recv(b, 0, &off, &len), KERR_EMPTY, "b does not get its own message");
	cr_assert_eq(edge_recv(a, 0, &off, &len), KERR_OK);
	cr_assert_eq(off, 0x10);
}

Test(edge, ends_must_be_two_live_partitions)
{
	handle_t e;

	world();
	cr_assert_eq(edge_create(A, A, 0x80000, 0x1000, &e), KERR_INVALID);
	cr_assert_eq(partition_ctl_kernel(C, PART_TERMINATE, 0), KERR_OK);
	cr_assert_eq(edge_create(A, C, 0x80000, 0x1000, &e), KERR_STALE);
}

Test(edge, the_backend_hears_each_send_made_and_no_refused_one)
{
	world();
	cr_assert_eq(cap_install(b, 1, OBJ_EDGE, E, RIGHT_WRITE), KERR_OK);
	cr_assert_eq(edge_send(b, 1, 0x10, 16), KERR_OK);
	cr_assert_eq(test_hal.traffic_from, b);
	cr_assert_eq(test_hal.traffic_to, a);
	cr_assert_eq(edge_send(a, 0, 0, 100), KERR_OK);
	cr_assert_eq(test_hal.traffic_from, a);
	cr_assert_eq(test_hal.traffic_to, b);
	cr_assert_eq(test_hal.traffic_bytes, 116);
	cr_assert_eq(edge_send(b, 0, 0, 8), KERR_DENIED, "b's slot 0 cannot write");
	cr_assert_eq(edge_send(a, 0, 0x1ff0, 0x20), KERR_INVALID);
	cr_assert_eq(test_hal.traffic_bytes, 116, "a refused send is no traffic");
}
