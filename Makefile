# Convenience targets; ./dev.sh is the entry point (it needs no make).
.PHONY: demo test bench stop build stubs
demo: ; ./dev.sh demo
test: ; ./dev.sh test
bench: ; ./dev.sh bench
stop: ; ./dev.sh stop
build: ; cargo build --release
stubs: ; bash scripts/stubs.sh
