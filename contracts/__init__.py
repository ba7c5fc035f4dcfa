"""The DAO's contracts: pure, deterministic state machines.

Each contract is ``transition(state, action, ctx) -> TransitionResult(state, events)``.
No I/O, no clock, no randomness, no floats: time and randomness come only from the
``Context`` the runtime passes in. This package imports only the standard library.
"""
