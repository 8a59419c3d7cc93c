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

// The real-time metrics operations are checked against the model by generated code (validate_admin_gen.go:
// InstanceId, Filters and CurrentMetrics required, MaxResult100), which calls the functions below in the
// places of Filters, Groupings, CurrentMetrics and SortCriteria: the model's list sizes, enums and the
// CurrentMetricId pattern sit there in one walk with the rules the documentation states (one of Queues and
// RoutingProfiles, Name or MetricId, each metric's unit, groupings listed once, at most 10 MetricIds, metrics
// that cannot sort), and their words are pinned ("Groupings must have 0 to 2 items"). What the model allows but
// parley cannot do (routing step expressions, agent status, subtype and validation test filters or groupings,
// custom metrics, hierarchy groups) is InvalidRequestException, reported by the conversions below once the
// request is valid.

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

// checkList checks the size of a list member.
func checkList(c *httpapi.Check, field string, n, min, max int) {
	if n < min || n > max {
		c.Fail(field, "%s must have %d to %d items (got %d)", field, min, max, n)
	}
}

// checkMetricFilters checks GetCurrentMetricData's Filters.
func checkMetricFilters(c *httpapi.Check, field string, f *wire.Filters) {
	if f == nil {
		return
	}
	if f.Queues != nil {
		checkList(c, field+".Queues", len(f.Queues), 1, 100)
	}
	if f.RoutingProfiles != nil {
		checkList(c, field+".RoutingProfiles", len(f.RoutingProfiles), 1, 100)
	}
	checkList(c, field+".Channels", len(f.Channels), 0, 4)
	for i := range f.Channels {
		c.Enum(fmt.Sprintf("%s.Channels[%d]", field, i), &f.Channels[i], false, enumChannel...)
	}
	checkList(c, field+".RoutingStepExpressions", len(f.RoutingStepExpressions), 0, 50)
	for i, e := range f.RoutingStepExpressions {
		c.Len(fmt.Sprintf("%s.RoutingStepExpressions[%d]", field, i), e, 1, 3000)
	}
	checkList(c, field+".AgentStatuses", len(f.AgentStatuses), 0, 50)
	checkList(c, field+".Subtypes", len(f.Subtypes), 0, 10)
	for i, s := range f.Subtypes {
		c.Len(fmt.Sprintf("%s.Subtypes[%d]", field, i), s, 1, 100)
	}
	checkList(c, field+".ValidationTestTypes", len(f.ValidationTestTypes), 0, 10)
	switch {
	case len(f.Queues) > 0 && len(f.RoutingProfiles) > 0:
		c.Fail(field, "%s may name Queues or RoutingProfiles, not both", field)
	case len(f.Queues) == 0 && len(f.RoutingProfiles) == 0:
		c.Fail(field, "%s must name Queues or RoutingProfiles", field)
	}
}

// checkGroupings checks GetCurrentMetricData's Groupings: at most two, each once.
func checkGroupings(c *httpapi.Check, field string, groupings []string) {
	checkList(c, field, len(groupings), 0, 2)
	for i := range groupings {
		c.Enum(fmt.Sprintf("%s[%d]", field, i), &groupings[i], false, enumGrouping...)
		if slices.Index(groupings, groupings[i]) != i {
			c.Fail(field, "%s lists %s twice", field, groupings[i])
		}
	}
}

// metricName is the name of the metric m asks for: its Name, or the out-of-the-box metric its MetricId's ARN
// names ("...:aws:metric/AGENTS_ONLINE"); "" for a custom metric, or a MetricId that is not one.
func metricName(m wire.CurrentMetric) string {
	switch {
	case m.Name != nil:
		return *m.Name
	case m.MetricID != nil && currentMetricIDPattern.MatchString(*m.MetricID):
		if _, name, ok := strings.Cut(*m.MetricID, ":aws:metric/"); ok && slices.Contains(enumCurrentMetricName, name) {
			return name
		}
	}
	return ""
}

// checkCurrentMetrics checks GetCurrentMetricData's CurrentMetrics: each by Name or by MetricId (an id or ARN,
// at most 10 of them), in its metric's unit.
func checkCurrentMetrics(c *httpapi.Check, field string, metrics []wire.CurrentMetric) {
	ids := 0
	for i, m := range metrics {
		f := fmt.Sprintf("%s[%d]", field, i)
		c.Enum(f+".Name", m.Name, false, enumCurrentMetricName...)
		c.Enum(f+".Unit", m.Unit, false, enumUnit...)
		switch {
		case m.Name != nil && m.MetricID != nil:
			c.Fail(f, "%s must give Name or MetricId, not both", f)
			continue
		case m.MetricID != nil:
			ids++
			if !currentMetricIDPattern.MatchString(*m.MetricID) {
				c.Fail(f+".MetricId", "%s.MetricId is not a metric id or ARN", f)
			}
		case m.Name == nil:
			c.Fail(f, "%s must give Name or MetricId", f)
		}
		name := metricName(m)
		if name == "" {
			continue
		}
		if unit := metricUnit(name); m.Unit != nil && *m.Unit != unit {
			c.Fail(f+".Unit", "%s.Unit must be %s for %s (got %s)", f, unit, name, *m.Unit)
		}
	}
	if ids > 10 {
		c.Fail(field, "%s may give at most 10 MetricIds (got %d)", field, ids)
	}
}

// checkSortCriteria checks GetCurrentMetricData's SortCriteria: at most one, by a metric that can sort.
func checkSortCriteria(c *httpapi.Check, field string, criteria []wire.CurrentMetricSortCriteria) {
	checkList(c, field, len(criteria), 0, 1)
	for i, sc := range criteria {
		f := fmt.Sprintf("%s[%d]", field, i)
		c.Enum(f+".SortByMetric", sc.SortByMetric, true, enumCurrentMetricName...)
		c.Enum(f+".SortOrder", sc.SortOrder, false, enumSortOrder...)
		if sc.SortByMetric != nil {
			if by := *sc.SortByMetric; by == "SLOTS_ACTIVE" || by == "SLOTS_AVAILABLE" {
				c.Fail(f+".SortByMetric", "sorting by %s is not supported", by)
			}
		}
	}
}

// checkUserDataFilters checks GetCurrentUserData's Filters: at most one of Queues, RoutingProfiles, Agents and
// UserHierarchyGroups, and the contact states.
func checkUserDataFilters(c *httpapi.Check, field string, f *wire.UserDataFilters) {
	if f == nil {
		return
	}
	given := 0
	for _, l := range []struct {
		name string
		list []string
		max  int
	}{
		{".Queues", f.Queues, 100},
		{".RoutingProfiles", f.RoutingProfiles, 100},
		{".Agents", f.Agents, 100},
		{".UserHierarchyGroups", f.UserHierarchyGroups, 1},
	} {
		if l.list != nil {
			checkList(c, field+l.name, len(l.list), 1, l.max)
		}
		if len(l.list) > 0 {
			given++
		}
	}
	if given > 1 {
		c.Fail(field, "%s may name only one of Queues, RoutingProfiles, Agents and UserHierarchyGroups", field)
	}
	if cf := f.ContactFilter; cf != nil {
		checkList(c, field+".ContactFilter.ContactStates", len(cf.ContactStates), 0, 9)
		for i := range cf.ContactStates {
			c.Enum(fmt.Sprintf("%s.ContactFilter.ContactStates[%d]", field, i), &cf.ContactStates[i], false,
				enumContactState...)
		}
	}
}

// metricSpec is one requested metric: the name parley computes and the Metric the response echoes.
type metricSpec struct {
	name string
	echo wire.CurrentMetric
}

// metricQuery is a GetCurrentMetricData request that passed its checks. queues and profiles hold the filter's
// references until the handler resolves them to ids.
type metricQuery struct {
	queues, profiles, channels []string
	groupings                  []string
	metrics                    []metricSpec
	sortBy                     string
	descending                 bool
	page                       listQuery
}

// unsupported fails a valid request with a feature or an operation parley does not have: one error, the same
// type and wording everywhere.
func unsupported(format string, args ...any) error {
	return parley.Errorf(parley.EREQUEST, format+" is not supported by parley yet", args...)
}

// currentMetricQuery converts a checked GetCurrentMetricData request, applying the documented combinations of
// filters, groupings and metrics; it refuses what parley cannot do.
func currentMetricQuery(req *wire.GetCurrentMetricDataRequest) (*metricQuery, error) {
	f := req.Filters
	q := &metricQuery{queues: f.Queues, profiles: f.RoutingProfiles, groupings: req.Groupings,
		sortBy: "AGENTS_ONLINE", descending: true}
	for _, ch := range f.Channels {
		if !slices.Contains(q.channels, ch) {
			q.channels = append(q.channels, ch)
		}
	}
	var unsup error // the first thing parley cannot do, reported once the request is valid
	for i, m := range req.CurrentMetrics {
		name := metricName(m)
		if name == "" {
			if unsup == nil {
				unsup = unsupported("CurrentMetrics[%d].MetricId %s (a custom metric)", i, truncate(*m.MetricID, 200))
			}
			continue
		}
		unit := metricUnit(name)
		spec := metricSpec{name: name, echo: m}
		spec.echo.Name, spec.echo.Unit = &name, &unit
		q.metrics = append(q.metrics, spec)
	}
	for _, sc := range req.SortCriteria {
		q.sortBy = *sc.SortByMetric
		if sc.SortOrder != nil {
			q.descending = *sc.SortOrder == "DESCENDING"
		}
	}
	var err error
	if q.page, err = page(req.MaxResults, req.NextToken, "current-metrics", maxMetricsPage); err != nil {
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

// userQuery is a GetCurrentUserData request that passed its checks. queues, profiles and agents hold the
// filter's references until the handler resolves them to ids.
type userQuery struct {
	queues, profiles, agents []string
	states                   []string
	page                     listQuery
}

// currentUserQuery converts a checked GetCurrentUserData request; it refuses what parley cannot do.
func currentUserQuery(req *wire.GetCurrentUserDataRequest) (*userQuery, error) {
	f := req.Filters
	q := &userQuery{queues: f.Queues, profiles: f.RoutingProfiles, agents: f.Agents}
	if cf := f.ContactFilter; cf != nil {
		q.states = cf.ContactStates
	}
	var err error
	if q.page, err = page(req.MaxResults, req.NextToken, "user-data", maxMetricsPage); err != nil {
		return nil, err
	}
	if len(f.UserHierarchyGroups) > 0 {
		return nil, unsupported("Filters.UserHierarchyGroups")
	}
	return q, nil
}
