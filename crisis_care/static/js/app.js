// Start the NHS.UK frontend components. Pages work without this; it adds enhancements only.
import { initAll } from "../nhsuk/nhsuk-frontend.min.js";

initAll();
