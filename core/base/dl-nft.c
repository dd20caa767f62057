/* SPDX-License-Identifier: MIT */
/*
 * libnftables' functions that apomon calls, forwarded to libnftables.so.1
 * opened on the first call (base/dl.h).  Each definition has the
 * prototype of the library's header, so a mismatch does not compile.
 */
#include "config.h"

#include <nftables/libnftables.h>

#include "base/dl-nft.h"
#include "base/dl.h"

/* clang-format off: one function a line */
#define NFT_FNS(X)                                                                                 \
	X(nft_ctx_new)                                                                             \
	X(nft_ctx_free)                                                                            \
	X(nft_ctx_buffer_output)                                                                   \
	X(nft_ctx_buffer_error)                                                                    \
	X(nft_ctx_get_error_buffer)                                                                \
	X(nft_run_cmd_from_buffer)                                                                 \
	/* end */
/* clang-format on */

#define INDEX(f) I_##f,
#define NAME(f)	 #f,
enum { NFT_FNS(INDEX) N_FNS };
static const char *const names[] = {NFT_FNS(NAME)};
static void *fns[N_FNS];
static struct apo_dl lib = APO_DL_INIT("libnftables.so.1", "libnftables1", names, fns);

#define F(f)	((__typeof__(&(f)))fns[I_##f])
#define READY() apo_dl_ready(&lib)

int apo_nft_open(char **why)
{
	return apo_dl_open(&lib, why);
}

struct nft_ctx *nft_ctx_new(uint32_t flags)
{
	return READY() ? F(nft_ctx_new)(flags) : NULL;
}

void nft_ctx_free(struct nft_ctx *ctx)
{
	if (READY())
		F(nft_ctx_free)(ctx);
}

int nft_ctx_buffer_output(struct nft_ctx *ctx)
{
	return READY() ? F(nft_ctx_buffer_output)(ctx) : -1;
}

int nft_ctx_buffer_error(struct nft_ctx *ctx)
{
	return READY() ? F(nft_ctx_buffer_error)(ctx) : -1;
}

const char *nft_ctx_get_error_buffer(struct nft_ctx *ctx)
{
	return READY() ? F(nft_ctx_get_error_buffer)(ctx) : NULL;
}

int nft_run_cmd_from_buffer(struct nft_ctx *nft, const char *buf)
{
	return READY() ? F(nft_run_cmd_from_buffer)(nft, buf) : -1;
}
