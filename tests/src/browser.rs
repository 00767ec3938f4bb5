//! Driving the widget in headless Chromium through chromedriver.
