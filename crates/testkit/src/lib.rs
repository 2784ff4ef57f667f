//! Fake peers for tests, on loopback, speaking the real wire formats.
