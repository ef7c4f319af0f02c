//! Order gateways: where an [`Order`](crate::model::Order) becomes bytes on a venue's wire.
pub mod rest;
