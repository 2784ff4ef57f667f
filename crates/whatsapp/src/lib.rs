//! Cloud API wire types, signature checks and the send client.
