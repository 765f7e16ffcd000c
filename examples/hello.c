/* hello.c - the smallest graft-cc program. */
#include <stdio.h>

int main(void)
{
	printf("hello from a static graft-cc binary\n");
	return 0;
}
