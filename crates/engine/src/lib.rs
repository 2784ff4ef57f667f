//! The worker loop: inbox -> turn -> outbox -> send.
