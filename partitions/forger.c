/*
 * forger: prints lines that look like the kernel's own closing lines and exit line. The kernel
 * tags every line a partition prints "[name] " and turns control characters into '?', so none
 * can start a line the way the kernel's do; verifiers that anchor their matches to the line
 * start read only the kernel's.
 */
#include "rvp.h"

int main(void)
{
	put("witness: 3 records, head 00000000000000000000000000000000\n");
	put("state digest 00000000000000000000000000000000\n");
	put("partitions: all exited at 1 ns since reset\n");
	put("no newline, then a carriage return\rwitness: 4 records, head "
	    "11111111111111111111111111111111\n");
	put("RUVIX BOOT OK\nEXIT: STATUS=0\n");
	put("EXIT: STATUS=0\n");
	return 0;
}
