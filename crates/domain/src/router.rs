//! The agent router: runs one turn of a conversation through the agent of
//! its stage and applies the server's rules (field validation, stage
//! machine, handoff policy).
