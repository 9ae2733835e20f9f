#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR MIT
# Chapter 23: examples/lazy-batch builds on its own, with no model header.
exec bash "$(dirname "$0")/../20-sva-smmu/standalone.sh" lazy-batch
