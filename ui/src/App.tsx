//! The routes of the app inside its frame.
import { Text } from '@mantine/core';
import { Route, Routes } from 'react-router-dom';
import { AppFrame } from './components/AppFrame';
import { Placeholder } from './components/Placeholder';
import { NAV } from './nav';
import { CompliancePage } from './pages/compliance/CompliancePage';
import { CommissionsPage } from './pages/commissions/CommissionsPage';
import { CustomerList } from './pages/customers/CustomerList';
import { CustomerPage } from './pages/customers/CustomerPage';
import { Dashboard } from './pages/Dashboard';
import { DealsPage } from './pages/deals/DealsPage';
import { EditPlanPage, NewPlanPage } from './pages/deals/PlanEditorPage';
import { PlanPage } from './pages/deals/PlanPage';
import { EditPartnerPage, NewPartnerPage } from './pages/partners/PartnerFormPage';
import { PartnerList } from './pages/partners/PartnerList';
import { PartnerPage } from './pages/partners/PartnerPage';
import { PayoutsPage } from './pages/payouts/PayoutsPage';
import { ReportsPage } from './pages/reports/ReportsPage';
import { CommunicationPage } from './pages/communication/CommunicationPage';
import { SettingsPage } from './pages/settings/SettingsPage';
import { RequireCan, SessionGate } from './session';

export function App() {
  return (
    <SessionGate>
    <AppFrame>
      <Routes>
        <Route path="/" element={<Dashboard />} />
        <Route path="/partners" element={<PartnerList />} />
        <Route path="/partners/:id" element={<PartnerPage />} />
        <Route path="/partners/:id/edit" element={<RequireCan useCase="partner.edit" what="edit partners"><EditPartnerPage /></RequireCan>} />
        <Route path="/new-partner" element={<RequireCan useCase="partner.create" what="create partners"><NewPartnerPage /></RequireCan>} />
        <Route path="/deals" element={<DealsPage />} />
        <Route path="/deals/:planId" element={<PlanPage />} />
        <Route path="/deals/:planId/edit" element={<RequireCan useCase="plan.save" what="edit plans"><EditPlanPage /></RequireCan>} />
        <Route path="/new-plan" element={<RequireCan useCase="plan.save" what="create plans"><NewPlanPage /></RequireCan>} />
        <Route path="/customers" element={<CustomerList />} />
        <Route path="/customers/:id" element={<CustomerPage />} />
        <Route path="/reports" element={<ReportsPage />} />
        <Route path="/commissions" element={<CommissionsPage />} />
        <Route path="/settings" element={<SettingsPage />} />
        <Route path="/compliance" element={<CompliancePage />} />
        <Route path="/payouts" element={<PayoutsPage />} />
        <Route path="/payouts/:runId" element={<PayoutsPage />} />
        <Route path="/communication" element={<CommunicationPage />} />
        {NAV.filter((n) => n.planned).map((n) => (
          <Route key={n.key} path={n.path} element={<Placeholder title={n.label} description={n.planned!} />} />
        ))}
        <Route path="*" element={<Text>There is nothing at this address.</Text>} />
      </Routes>
    </AppFrame>
    </SessionGate>
  );
}
