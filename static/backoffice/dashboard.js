// The staff dashboard's charts (unfold's chart components, drawn by its app.js on window load):
// whole numbers on the value axis, so a chart of a few sign-ups a day does not show 0.2 steps.
if (window.Chart) {
  window.Chart.defaults.scales.linear.ticks.precision = 0;
}
