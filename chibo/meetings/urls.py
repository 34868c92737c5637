from django.urls import path

from .views import followup, meeting, papers, plan, stats

app_name = "meetings"
urlpatterns = [
    path("plan/<int:pk>/", plan.plan, name="plan"),
    path("plan/<int:pk>/day/", plan.set_day, name="set_day"),
    path("plan/<int:pk>/year/", plan.plan_year, name="plan_year"),
    path("plan/<int:pk>/add/", plan.add, name="add"),
    path("<int:pk>/held/", plan.held, name="held"),
    path("mine/", meeting.mine, name="mine"),
    path("<int:pk>/", meeting.detail, name="detail"),
    path("<int:pk>/prepare/", meeting.prepare, name="prepare"),
    path("<int:pk>/agenda/", meeting.agenda_template, name="agenda_template"),
    path("<int:pk>/documents/", meeting.document_add, name="document_add"),
    path("documents/<int:pk>/", meeting.document, name="document"),
    path("<int:pk>/notices/", meeting.notices, name="notices"),
    path("<int:pk>/print/notice/", meeting.print_notice, name="print_notice"),
    path("<int:pk>/print/sheet/", meeting.print_sheet, name="print_sheet"),
    path("<int:pk>/hold/", meeting.hold, name="hold"),
    path("<int:pk>/hold/attendance/", meeting.attendance, name="attendance"),
    path("<int:pk>/hold/record/", meeting.held, name="holding"),
    path("<int:pk>/hold/speech/", meeting.speech, name="speech"),
    path("<int:pk>/hold/vote/", meeting.vote, name="vote"),
]

urlpatterns += [
    path("<int:pk>/papers/<str:kind>/", papers.start, name="paper_start"),
    path("papers/<int:pk>/", papers.paper, name="paper"),
    path("papers/<int:pk>/edit/", papers.edit, name="paper_edit"),
    path("papers/<int:pk>/issue/", papers.issue, name="paper_issue"),
    path("papers/<int:pk>/addendum/", papers.addendum, name="paper_addendum"),
    path("papers/<int:pk>/<str:fmt>/", papers.download, name="paper_file"),
]

urlpatterns += [
    path("follow-up/<int:pk>/", followup.compliance, name="follow_up"),
    path("follow-up/<int:pk>/assign/", followup.assign, name="follow_up_assign"),
    path("follow-up/end/<int:pk>/", followup.end, name="follow_up_end"),
    path("<int:pk>/visit/", followup.visit, name="visit"),
    path("<int:pk>/matters/", followup.raise_matter, name="matter_raise"),
    path("matters/<int:pk>/", followup.matters, name="matters"),
    path("matters/answer/<int:pk>/", followup.answer, name="matter_answer"),
]

urlpatterns += [path("stats/<int:pk>/", stats.year_stats, name="stats")]
