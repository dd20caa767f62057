/* SPDX-License-Identifier: MIT */
/* libnftables, opened on first use (base/dl.h): include
 * <nftables/libnftables.h> and call it as usual; apo_nft_open() first
 * where a clear error matters. */
#ifndef APO_DL_NFT_H
#define APO_DL_NFT_H

/* 0, or -ELIBACC and *why: why libnftables cannot be used (caller frees). */
int apo_nft_open(char **why);

#endif
