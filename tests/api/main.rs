//! Black-box tests through the real HTTP API, on SQLite always and on
//! PostgreSQL when `TEST_DATABASE_URL` is set.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

mod access;
mod audit;
mod browser;
mod campaigns;
mod catalogue_admin;
mod cli;
mod corpus;
mod demo;
mod directory;
mod exports;
mod fixture_ght;
mod fixtures;
mod ghts;
mod health;
mod identity_provider;
mod indicators;
mod integrations;
mod inventory;
mod isolation;
mod libreoffice;
mod limits;
mod migrations;
mod openapi;
mod pages;
mod real_files;
mod reference;
mod review;
mod scope;
mod sign_in;
mod templates;
