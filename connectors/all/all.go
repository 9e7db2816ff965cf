// Package all compiles in every connector: importing it for its side
// effects registers each one, as database/sql drivers register themselves.
// Add a blank import here when adding a connector under connectors/.
package all

import (
	// Sources.
	_ "connector-dev/connectors/salesforce"
	_ "connector-dev/connectors/synthetic"

	// Destinations.
	_ "connector-dev/connectors/postgres"
	_ "connector-dev/connectors/sqlite"
)
