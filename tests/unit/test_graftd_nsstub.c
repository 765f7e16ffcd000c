/* test_graftd_nsstub.c - a fake netns resolver (nsid.c's interface) linked
 * into graftd's unit tests instead of the real one: the host is (1, 100);
 * a PID table's netns is (1, 500 + pid), pid 9999 does not exist; named
 * namespaces are what the test sets with fake_ns_set(). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "graftd.h"

#define FAKE_NS_MAX	8

void	fake_ns_set(const char *, ino_t);
void	fake_ns_clear(void);
extern int fake_resolves;

static struct {
	char	name[32];
	ino_t	ino;		/* 0: slot free */
} fake_ns[FAKE_NS_MAX];

int fake_resolves;	/* calls, to check laziness */

void
fake_ns_set(const char *name, ino_t ino)
{
	int i, free_slot = -1;

	for (i = 0; i < FAKE_NS_MAX; i++) {
		if (fake_ns[i].ino && strcmp(fake_ns[i].name, name) == 0) {
			fake_ns[i].ino = ino;
			return;
		}
		if (!fake_ns[i].ino && free_slot == -1)
			free_slot = i;
	}
	if (free_slot != -1 && ino) {
		strcpy(fake_ns[free_slot].name, name);
		fake_ns[free_slot].ino = ino;
	}
}

void
fake_ns_clear(void)
{
	memset(fake_ns, 0, sizeof(fake_ns));
	fake_resolves = 0;
}

int
nsid_open_pid(pid_t pid, int *fdp)
{
	if (pid == 9999)
		return ESRCH;
	*fdp = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return *fdp == -1 ? errno : 0;
}

/* An attachment's path: "/fake/ns/N" is the netns (1, N) (N > 0),
 * "/fake/file" a file that is not a netns, anything else missing. */
static int
path_ino(const char *path, struct nsid *id)
{
	unsigned long n;

	id->dev = 1;
	if (strcmp(path, "/fake/file") == 0)
		return EINVAL;
	if (strncmp(path, "/fake/ns/", 9) != 0 ||
	    parse_uint(path + 9, 1000000, &n) != 0 || n == 0)
		return ENOENT;
	id->ino = (ino_t)n;
	return 0;
}

int
nsid_open_path(const char *path, int *fdp, struct nsid *id)
{
	int rv;

	if ((rv = path_ino(path, id)) != 0)
		return rv;
	*fdp = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return *fdp == -1 ? errno : 0;
}

int
nsid_path_is(const char *path, const struct nsid *id)
{
	struct nsid cur;

	if (path_ino(path, &cur) != 0 || cur.ino != id->ino)
		return ESTALE;
	return 0;
}

int
nsid_resolve(const struct ns_spec *ns, int nsfd, struct nsid *id)
{
	int i;

	(void)nsfd;
	fake_resolves++;
	id->dev = 1;
	switch (ns->kind) {
	case NS_HOST:
		id->ino = 100;
		return 0;
	case NS_PID:
		id->ino = (ino_t)(500 + ns->pid);
		return 0;
	case NS_PATH:
		return path_ino(ns->name, id);
	case NS_NAME:
		for (i = 0; i < FAKE_NS_MAX; i++)
			if (fake_ns[i].ino &&
			    strcmp(fake_ns[i].name, ns->name) == 0) {
				id->ino = fake_ns[i].ino;
				return 0;
			}
		return ENOENT;
	}
	return EINVAL;
}

int
nsid_recheck(const struct ns_spec *ns, int nsfd, struct nsid *id)
{
	return nsid_resolve(ns, nsfd, id);
}
