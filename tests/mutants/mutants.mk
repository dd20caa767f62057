# Mutants: small deliberate defects, each with the tests that must catch
# it (tests/mutants/*.mut).  `make check-mutants` (root) builds a copy of
# the tree once and runs each mutant's tests; every mutant must be killed.
# MUTANTS="tests/mutants/x.mut ..." picks some.
EXTRA_DIST += tests/mutants/run.sh tests/mutants/integrity-gate-skipped.mut \
	tests/mutants/namespaces-not-rolled-back.mut tests/mutants/ready-always.mut \
	tests/mutants/nft-table-left.mut tests/mutants/seccomp-not-loaded.mut \
	tests/mutants/cap-sys-admin-kept.mut tests/mutants/password-salt-derived.mut \
	tests/mutants/debootstrap-unchecked.mut tests/mutants/hosts-block-kept.mut \
	tests/mutants/host-route-missing.mut tests/mutants/root-dir-not-shifted.mut \
	tests/mutants/signature-unchecked.mut tests/mutants/host-port-unchecked.mut \
	tests/mutants/publish-udp-as-tcp.mut tests/mutants/down-discards-data.mut \
	tests/mutants/integrity-before-render-skipped.mut \
	tests/mutants/userns-not-used.mut tests/mutants/manifest-fetched-twice.mut \
	tests/mutants/logger-not-taken-over.mut tests/mutants/reload-before-seal-check.mut \
	tests/mutants/pulls-not-serialised.mut \
	tests/mutants/reload-keeps-new-cert.mut tests/mutants/root-not-moved.mut
check-mutants:
	$(SHELL) $(srcdir)/tests/mutants/run.sh $(srcdir) $(builddir) $(MUTANTS)
# the check programs, for run.sh to rebuild only those a mutant's tests use
mutants-check-programs:
	@echo $(check_PROGRAMS)
# builds the mutants' copy of the tree only (CI does it during the suite)
mutants-prepare:
	$(SHELL) $(srcdir)/tests/mutants/run.sh --prepare $(srcdir) $(builddir)
clean-local: clean-mutants
clean-mutants:
	rm -rf mutants-tree mutants-*.log
.PHONY: check-mutants mutants-check-programs mutants-prepare clean-mutants
