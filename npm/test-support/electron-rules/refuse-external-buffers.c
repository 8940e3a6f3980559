/*
 * Electron's rule for native addons, without Electron: since Electron 21 V8 runs with its memory
 * cage, and N-API refuses memory an addon allocated itself — `napi_create_external_buffer` and
 * `napi_create_external_arraybuffer` answer `napi_no_external_buffers_allowed` — so an addon
 * must copy its bytes into memory V8 allocates.
 *
 * Preloaded (LD_PRELOAD) into a Node.js process, this makes those two calls answer so. The addon
 * looks the N-API functions up with dlsym (napi-rs's `dyn-symbols`), and an executable's own
 * symbols cannot be interposed by a preloaded library, so it is dlsym that is interposed: asked
 * for either function, it gives the refusing one; asked for anything else, it asks the real
 * dlsym. Each refusal appends a line to the file ATOMITON_REFUSED_LOG names, so a test knows the
 * refusals happened (and that this interposition still works).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The oldest version of glibc's dlsym on this architecture: every glibc has it. */
#if defined(__aarch64__)
#define DLSYM_VERSION "GLIBC_2.17"
#else
#define DLSYM_VERSION "GLIBC_2.2.5"
#endif

/* napi_no_external_buffers_allowed in node_api_types.h's napi_status. */
#define NAPI_NO_EXTERNAL_BUFFERS_ALLOWED 22

static void note(const char *line) {
  const char *path = getenv("ATOMITON_REFUSED_LOG");
  if (!path) return;
  int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0600);
  if (fd < 0) return;
  ssize_t written = write(fd, line, strlen(line));
  (void)written;
  close(fd);
}

static int refused_buffer(void *env, size_t length, void *data, void *finalize, void *hint, void **result) {
  (void)env, (void)length, (void)data, (void)finalize, (void)hint, (void)result;
  note("napi_create_external_buffer\n");
  return NAPI_NO_EXTERNAL_BUFFERS_ALLOWED;
}

static int refused_arraybuffer(void *env, void *data, size_t length, void *finalize, void *hint, void **result) {
  (void)env, (void)data, (void)length, (void)finalize, (void)hint, (void)result;
  note("napi_create_external_arraybuffer\n");
  return NAPI_NO_EXTERNAL_BUFFERS_ALLOWED;
}

void *dlsym(void *handle, const char *name) {
  static void *(*real)(void *, const char *);
  if (!real) real = (void *(*)(void *, const char *))dlvsym(RTLD_NEXT, "dlsym", DLSYM_VERSION);
  if (name && strcmp(name, "napi_create_external_buffer") == 0) return (void *)refused_buffer;
  if (name && strcmp(name, "napi_create_external_arraybuffer") == 0) return (void *)refused_arraybuffer;
  return real(handle, name);
}
