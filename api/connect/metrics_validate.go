package connect

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/parley-chat/parley"
	"github.com/parley-chat/parley/api/httpapi"
	"github.com/parley-chat/parley/wire"
)

// The validators of the real-time metrics operations enforce the constraints of aws-sdk-go-v2 service/connect
// v1.175.2's model (list sizes, enums, MaxResult100, the CurrentMetricId pattern) and the rules its documentation
// states for filters, groupings and units, so that a request Amazon Connect refuses is refused here too. What
// the model allows but parley cannot do (routing step expressions, agent status, subtype and validation test
// filters or groupings, custom metrics, hierarchy groups) is InvalidRequestException.

// metricUnits is the unit of each current metric.
var metricUnits = map[string]string{
	"OLDEST_CONTACT_AGE":  "SECONDS",
	"ESTIMATED_WAIT_TIME": "SECONDS",
}

func metricUnit(name string) string {
	if u, ok := metricUnits[name]; ok {
		return u
	}
	return "COUNT"
}

// currentMetricIDPattern is the model's CurrentMetricId pattern.
var currentMetricIDPattern = regexp.MustCompile(`^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})|` +
	`(arn:[a-z0-9-]+:connect:[a-z0-9-]+:(?:([0-9]{12}):instance/[a-z0-9-]+/metric/[a-z0-9-]+(?::[a-z0-9-]+)?|aws:metric/[A-Z_]+))$`)

// metricSpec is one requested metric: the name parley computes and the Metric the response echoes.
type metricSpec struct {
	name string
	echo wire.CurrentMetric
}

// metricQuery is a validated GetCurrentMetricData request. queues and profiles hold the filter's references
// until the handler resolves them to ids.
type metricQuery struct {
	queues, profiles, channels []string
	groupings                  []string
	metrics                    []metricSpec
	sortBy                     string
	descending                 bool
	page                       listQuery
}

// checkList checks the size of an optional list member.
func checkList(c *httpapi.Check, field string, n, min, max int) {
	if n < min || n > max {
		c.Fail(field, "%s must have %d to %d items (got %d)", field, min, max, n)
	}
}

// checkPage validates MaxResults (1..max, def when absent) and NextToken (a token paginate issued for kind) and
// returns the page they ask for.
func checkPage(c *httpapi.Check, maxResults *int, nextToken *string, kind string, def, max int) listQuery {
	lq := listQuery{size: def}
	c.Int("MaxResults", maxResults, false, 1, max)
	if maxResults != nil {
		lq.size = *maxResults
	}
	if nextToken != nil {
		off, ok := decodeToken(*nextToken, kind)
		if !ok {
			c.Fail("NextToken", "NextToken is not valid")
		}
		lq.offset = off
	}
	return lq
}

// unsupported fails a valid request with a feature parley does not have.
func unsupported(format string, args ...any) error {
	return parley.Errorf(parley.EREQUEST, format+" is not supported by parley yet", args...)
}

// currentMetricQuery validates a GetCurrentMetricData request.
func currentMetricQuery(req *wire.GetCurrentMetricDataRequest) (*metricQuery, error) {
	var c httpapi.Check
	c.Required("Filters", req.Filters != nil)
	c.Required("CurrentMetrics", req.CurrentMetrics != nil)
	if err := c.Err(); err != nil {
		return nil, err
	}
	f := req.Filters
	if f.Queues != nil {
		checkList(&c, "Filters.Queues", len(f.Queues), 1, 100)
	}
	if f.RoutingProfiles != nil {
		checkList(&c, "Filters.RoutingProfiles", len(f.RoutingProfiles), 1, 100)
	}
	checkList(&c, "Filters.Channels", len(f.Channels), 0, 4)
	for i := range f.Channels {
		c.Enum(fmt.Sprintf("Filters.Channels[%d]", i), &f.Channels[i], false, wire.Channels...)
	}
	checkList(&c, "Filters.RoutingStepExpressions", len(f.RoutingStepExpressions), 0, 50)
	for i, e := range f.RoutingStepExpressions {
		c.Len(fmt.Sprintf("Filters.RoutingStepExpressions[%d]", i), e, 1, 3000)
	}
	checkList(&c, "Filters.AgentStatuses", len(f.AgentStatuses), 0, 50)
	checkList(&c, "Filters.Subtypes", len(f.Subtypes), 0, 10)
	for i, s := range f.Subtypes {
		c.Len(fmt.Sprintf("Filters.Subtypes[%d]", i), s, 1, 100)
	}
	checkList(&c, "Filters.ValidationTestTypes", len(f.ValidationTestTypes), 0, 10)
	switch {
	case len(f.Queues) > 0 && len(f.RoutingProfiles) > 0:
		c.Fail("Filters", "Filters may name Queues or RoutingProfiles, not both")
	case len(f.Queues) == 0 && len(f.RoutingProfiles) == 0:
		c.Fail("Filters", "Filters must name Queues or RoutingProfiles")
	}

	checkList(&c, "Groupings", len(req.Groupings), 0, 2)
	for i := range req.Groupings {
		c.Enum(fmt.Sprintf("Groupings[%d]", i), &req.Groupings[i], false, wire.Groupings...)
		if slices.Index(req.Groupings, req.Groupings[i]) != i {
			c.Fail("Groupings", "Groupings lists %s twice", req.Groupings[i])
		}
	}

	q := &metricQuery{queues: f.Queues, profiles: f.RoutingProfiles, groupings: req.Groupings,
		sortBy: "AGENTS_ONLINE", descending: true}
	for _, ch := range f.Channels {
		if !slices.Contains(q.channels, ch) {
			q.channels = append(q.channels, ch)
		}
	}
	ids := 0
	var unsup error // the first thing parley cannot do, reported once the request is valid
	for i, m := range req.CurrentMetrics {
		field := fmt.Sprintf("CurrentMetrics[%d]", i)
		c.Enum(field+".Name", m.Name, false, wire.CurrentMetricNames...)
		c.Enum(field+".Unit", m.Unit, false, wire.MetricUnits...)
		spec := metricSpec{echo: m}
		switch {
		case m.Name != nil && m.MetricID != nil:
			c.Fail(field, "%s must give Name or MetricId, not both", field)
		case m.Name != nil:
			spec.name = *m.Name
		case m.MetricID != nil:
			ids++
			if !currentMetricIDPattern.MatchString(*m.MetricID) {
				c.Fail(field+".MetricId", "%s.MetricId is not a metric id or ARN", field)
				break
			}
			// An ARN of an out-of-the-box metric ("...:aws:metric/AGENTS_ONLINE") names it.
			_, name, ok := strings.Cut(*m.MetricID, ":aws:metric/")
			if !ok || !slices.Contains(wire.CurrentMetricNames, name) {
				if unsup == nil {
					unsup = unsupported("%s.MetricId %s (a custom metric)", field, truncate(*m.MetricID, 200))
				}
				break
			}
			spec.name = name
			spec.echo.Name = &name
		default:
			c.Fail(field, "%s must give Name or MetricId", field)
		}
		if spec.name == "" {
			continue
		}
		unit := metricUnit(spec.name)
		if m.Unit != nil && *m.Unit != unit {
			c.Fail(field+".Unit", "%s.Unit must be %s for %s (got %s)", field, unit, spec.name, *m.Unit)
		}
		spec.echo.Unit = &unit
		q.metrics = append(q.metrics, spec)
	}
	if ids > 10 {
		c.Fail("CurrentMetrics", "CurrentMetrics may give at most 10 MetricIds (got %d)", ids)
	}

	checkList(&c, "SortCriteria", len(req.SortCriteria), 0, 1)
	for i, sc := range req.SortCriteria {
		field := fmt.Sprintf("SortCriteria[%d]", i)
		c.Enum(field+".SortByMetric", sc.SortByMetric, true, wire.CurrentMetricNames...)
		c.Enum(field+".SortOrder", sc.SortOrder, false, wire.SortOrders...)
		if sc.SortByMetric != nil {
			if by := *sc.SortByMetric; by == "SLOTS_ACTIVE" || by == "SLOTS_AVAILABLE" {
				c.Fail(field+".SortByMetric", "sorting by %s is not supported", by)
			}
			q.sortBy = *sc.SortByMetric
		}
		if sc.SortOrder != nil {
			q.descending = *sc.SortOrder == "DESCENDING"
		}
	}
	q.page = checkPage(&c, req.MaxResults, req.NextToken, "current-metrics", maxMetricsPage, maxMetricsPage)
	if err := c.Err(); err != nil {
		return nil, err
	}

	// The documented combinations of filters, groupings and metrics.
	grouped := func(g string) bool { return slices.Contains(q.groupings, g) }
	for _, m := range q.metrics {
		switch m.name {
		case "CONTACTS_IN_QUEUE", "OLDEST_CONTACT_AGE", "CONTACTS_SCHEDULED":
			if grouped("ROUTING_PROFILE") && len(q.profiles) == 0 {
				return nil, parley.Invalid("Filters.RoutingProfiles",
					"grouping by ROUTING_PROFILE needs a RoutingProfiles filter for %s", m.name)
			}
		case "ESTIMATED_WAIT_TIME":
			if len(q.queues) == 0 || len(q.channels) == 0 || !slices.Equal(q.groupings, []string{"QUEUE", "CHANNEL"}) {
				return nil, parley.Invalid("CurrentMetrics",
					"ESTIMATED_WAIT_TIME needs Queues and Channels filters and the groupings [QUEUE, CHANNEL]")
			}
		}
	}
	if unsup != nil {
		return nil, unsup
	}
	for _, g := range q.groupings {
		switch g {
		case "ROUTING_STEP_EXPRESSION", "AGENT_STATUS", "SUBTYPE", "VALIDATION_TEST_TYPE":
			return nil, unsupported("grouping by %s", g)
		}
	}
	switch {
	case len(f.RoutingStepExpressions) > 0:
		return nil, unsupported("Filters.RoutingStepExpressions")
	case len(f.AgentStatuses) > 0:
		return nil, unsupported("Filters.AgentStatuses")
	case len(f.Subtypes) > 0:
		return nil, unsupported("Filters.Subtypes")
	case len(f.ValidationTestTypes) > 0:
		return nil, unsupported("Filters.ValidationTestTypes")
	}
	return q, nil
}

// userQuery is a validated GetCurrentUserData request. queues, profiles and agents hold the filter's references
// until the handler resolves them to ids.
type userQuery struct {
	queues, profiles, agents []string
	states                   []string
	page                     listQuery
}

// currentUserQuery validates a GetCurrentUserData request.
func currentUserQuery(req *wire.GetCurrentUserDataRequest) (*userQuery, error) {
	var c httpapi.Check
	c.Required("Filters", req.Filters != nil)
	if err := c.Err(); err != nil {
		return nil, err
	}
	f := req.Filters
	given := 0
	for _, l := range []struct {
		field string
		list  []string
		max   int
	}{
		{"Filters.Queues", f.Queues, 100},
		{"Filters.RoutingProfiles", f.RoutingProfiles, 100},
		{"Filters.Agents", f.Agents, 100},
		{"Filters.UserHierarchyGroups", f.UserHierarchyGroups, 1},
	} {
		if l.list != nil {
			checkList(&c, l.field, len(l.list), 1, l.max)
		}
		if len(l.list) > 0 {
			given++
		}
	}
	if given > 1 {
		c.Fail("Filters", "Filters may name only one of Queues, RoutingProfiles, Agents and UserHierarchyGroups")
	}
	q := &userQuery{queues: f.Queues, profiles: f.RoutingProfiles, agents: f.Agents}
	if cf := f.ContactFilter; cf != nil {
		checkList(&c, "Filters.ContactFilter.ContactStates", len(cf.ContactStates), 0, 9)
		for i := range cf.ContactStates {
			c.Enum(fmt.Sprintf("Filters.ContactFilter.ContactStates[%d]", i), &cf.ContactStates[i], false,
				wire.ContactStates...)
		}
		q.states = cf.ContactStates
	}
	q.page = checkPage(&c, req.MaxResults, req.NextToken, "user-data", maxMetricsPage, maxMetricsPage)
	if err := c.Err(); err != nil {
		return nil, err
	}
	if len(f.UserHierarchyGroups) > 0 {
		return nil, unsupported("Filters.UserHierarchyGroups")
	}
	return q, nil
}
