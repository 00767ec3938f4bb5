//! The demo in headless Chromium.
