"""The dashboard as the workspace shows it: the Projects and Apps (apps.selectors) with each
Project's Post usage this month (platform_api.selectors), composed here, above both."""

from dataclasses import dataclass

from apps.selectors import Dashboard, ProjectOnDashboard, dashboard_for
from platform_api.selectors import PostUsage, post_usage_of_projects


@dataclass(frozen=True)
class ProjectRow:
    on_dashboard: ProjectOnDashboard
    post_usage: PostUsage


@dataclass(frozen=True)
class WorkspaceDashboard:
    dashboard: Dashboard
    project_rows: list[ProjectRow]


def workspace_dashboard_for(user) -> WorkspaceDashboard:
    """apps.selectors.dashboard_for plus one query for the Posts of every Project."""
    dashboard = dashboard_for(user)
    usage = post_usage_of_projects([row.project.pk for row in dashboard.projects])
    return WorkspaceDashboard(
        dashboard=dashboard,
        project_rows=[ProjectRow(row, usage[row.project.pk]) for row in dashboard.projects],
    )
