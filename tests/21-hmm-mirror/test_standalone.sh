#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR MIT
# Chapter 21: examples/hmm-mirror builds on its own (see tests/20-sva-smmu/standalone.sh).
exec bash "$(dirname "$0")/../20-sva-smmu/standalone.sh" hmm-mirror mmuspec/device.h
